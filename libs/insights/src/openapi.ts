import { z } from 'zod';

import { AUDIT_ACTIONS } from './audit';
import { DIMENSION_NAMES } from './dimensions';
import { MetricQuerySchema } from './metrics';
import { PERIODS } from './periods';
import { RESEARCH_SCOPES } from './research-credentials';
import { EXTRACT_FIELD_NAMES, EXTRACT_FORMATS, ExtractRequestSchema, StudyRequestSchema } from './studies';

const ErrorSchema = z.object({
  error: z.string(),
  issues: z.array(z.object({ field: z.string(), message: z.string() })),
});

/** What the HTTP layer itself answers (credentials, scopes, an unreadable body). */
const HttpErrorSchema = z.object({
  statusCode: z.number().int(),
  message: z.union([z.string(), z.array(z.string())]),
  error: z.string().optional(),
});

const CellSchema = z.object({
  period: z.string().describe('first day of the period'),
  periodEnd: z.string().describe('last day of the period'),
  dimensions: z.record(z.string(), z.string()),
  suppressed: z.boolean(),
  values: z.record(z.string(), z.number().nullable()).describe('null when suppressed'),
});

const MetricResultSchema = z.object({
  metric: z.enum(['engagement', 'skills']),
  period: z.enum(PERIODS),
  k: z.number().int(),
  requested: z.object({ from: z.string(), to: z.string() }),
  effective: z.object({ from: z.string(), to: z.string() }),
  groupBy: z.array(z.enum(DIMENSION_NAMES as [string, ...string[]])),
  filters: z.record(z.string(), z.string()),
  cells: z.array(CellSchema),
  totals: z.array(CellSchema),
  suppressedCells: z.number().int(),
  closedThrough: z.string().nullable().describe('last closed local day; later periods are withheld'),
  openPeriods: z.array(z.string()).describe('periods of the range not closed yet'),
});

const BalanceResultSchema = z.object({
  metric: z.literal('balance'),
  period: z.enum(PERIODS),
  k: z.number().int(),
  requested: z.object({ from: z.string(), to: z.string() }),
  effective: z.object({ from: z.string(), to: z.string() }),
  periods: z.array(
    z.object({
      period: z.string(),
      periodEnd: z.string(),
      gini: z.number().nullable(),
      theil: z.number().nullable(),
      theilBetweenRegions: z.number().nullable(),
      theilWithinRegions: z.number().nullable(),
      towns: z.number().int(),
      suppressed: z.boolean(),
    }),
  ),
  suppressedCells: z.number().int(),
  closedThrough: z.string().nullable(),
  openPeriods: z.array(z.string()),
});

const StudySchema = z.object({
  studyId: z.string(),
  title: z.string(),
  purpose: z.string(),
  approvedFields: z.array(z.enum(EXTRACT_FIELD_NAMES as [string, ...string[]])),
  window: z.object({ from: z.string(), to: z.string() }),
  createdBy: z.string(),
  createdAt: z.string(),
});

const ExtractSchema = z.object({
  extractId: z.string(),
  studyId: z.string(),
  format: z.enum(EXTRACT_FORMATS),
  fields: z.array(z.string()),
  from: z.string(),
  to: z.string(),
  cutThrough: z.string().describe('only statements stored up to this instant are in the extract'),
  rowCount: z.number().int(),
  sha256: z.string().describe('of the bytes; every re-download gives the same'),
  createdBy: z.string(),
  createdAt: z.string(),
});

const AuditRecordSchema = z.object({
  auditId: z.string(),
  at: z.string(),
  principal: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  target: z.string(),
  parameters: z.unknown(),
  outcome: z.string(),
  rowCount: z.number().int(),
  suppressedCells: z.number().int(),
});

type JsonSchema = Record<string, unknown>;
const schema = (s: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema => {
  const json = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
};

const json = (ref: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } });
const errors = {
  '400': {
    description: 'The request breaks a rule; every issue is listed (or the body is not JSON at all)',
    content: {
      'application/json': {
        schema: {
          oneOf: [{ $ref: '#/components/schemas/Error' }, { $ref: '#/components/schemas/HttpError' }],
        },
      },
    },
  },
  '401': { description: 'No or wrong research credentials', content: json('HttpError') },
  '403': { description: 'The credential lacks the scope', content: json('HttpError') },
};
const notFound = (what: string) => ({ '404': { description: `No such ${what}`, content: json('Error') } });

function queryParameters(s: z.ZodObject): JsonSchema[] {
  const shape = schema(s, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(shape.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: (shape.required ?? []).includes(name),
    description: property.description,
    schema: { ...property, description: undefined },
  }));
}

const security = (scope: string) => [{ research: [scope] }];

/** The research API's OpenAPI 3.1 document, with schemas derived from the zod schemas the API validates with. */
export function researchOpenApiDocument(): JsonSchema {
  const metricParameters = queryParameters(MetricQuerySchema);
  const balanceParameters = metricParameters.filter((p) => ['from', 'to', 'period'].includes(String(p.name)));
  const studyId = { name: 'studyId', in: 'path', required: true, schema: { type: 'string' } };
  const extractId = { name: 'extractId', in: 'path', required: true, schema: { type: 'string' } };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Research API',
      version: '1.0.0',
      description:
        'Privacy-safe metrics (small cells suppressed in the query layer, k distinct learners) and reproducible pseudonymised extracts for registered studies. Every call that reads data is written to the audit log before it is answered. Researcher credentials are separate from the xAPI partners’ credentials.',
    },
    servers: [{ url: '/research/v1' }],
    components: {
      securitySchemes: {
        research: {
          type: 'http',
          scheme: 'basic',
          description: `Researcher credentials; scopes: ${RESEARCH_SCOPES.join(', ')}`,
        },
      },
      schemas: {
        Error: schema(ErrorSchema),
        HttpError: schema(HttpErrorSchema),
        MetricResult: schema(MetricResultSchema),
        BalanceResult: schema(BalanceResultSchema),
        StudyRequest: schema(StudyRequestSchema, 'input'),
        Study: schema(StudySchema),
        ExtractRequest: schema(ExtractRequestSchema, 'input'),
        Extract: schema(ExtractSchema),
        AuditRecord: schema(AuditRecordSchema),
      },
    },
    paths: {
      '/metrics/engagement': {
        get: {
          summary: 'Statements, distinct learners and time spent per period and group',
          security: security('research/metrics'),
          parameters: metricParameters,
          responses: {
            '200': { description: 'Cells and per-period totals', content: json('MetricResult') },
            ...errors,
          },
        },
      },
      '/metrics/skills': {
        get: {
          summary: 'Learners who attempted, completed and passed a skill, per period and group',
          security: security('research/metrics'),
          parameters: metricParameters,
          responses: {
            '200': { description: 'Cells and per-period totals', content: json('MetricResult') },
            ...errors,
          },
        },
      },
      '/metrics/balance': {
        get: {
          summary: 'Gini and Theil (between and within regions) of participation across towns, per period',
          security: security('research/metrics'),
          parameters: balanceParameters,
          responses: {
            '200': { description: 'Indices per period', content: json('BalanceResult') },
            ...errors,
          },
        },
      },
      '/studies': {
        get: {
          summary: 'Registered studies',
          security: security('research/studies'),
          responses: {
            '200': {
              description: 'Studies',
              content: {
                'application/json': {
                  schema: { type: 'array', items: { $ref: '#/components/schemas/Study' } },
                },
              },
            },
            ...errors,
          },
        },
        post: {
          summary: 'Register a study: title, purpose, approved fields, time window',
          security: security('research/studies'),
          requestBody: { required: true, content: json('StudyRequest') },
          responses: { '201': { description: 'The study', content: json('Study') }, ...errors },
        },
      },
      '/studies/{studyId}': {
        get: {
          summary: 'One study',
          security: security('research/studies'),
          parameters: [studyId],
          responses: {
            '200': { description: 'The study', content: json('Study') },
            ...notFound('study'),
            ...errors,
          },
        },
      },
      '/studies/{studyId}/extracts': {
        get: {
          summary: 'The study’s extracts',
          security: security('research/extracts'),
          parameters: [studyId],
          responses: {
            '200': {
              description: 'Extracts',
              content: {
                'application/json': {
                  schema: { type: 'array', items: { $ref: '#/components/schemas/Extract' } },
                },
              },
            },
            ...notFound('study'),
            ...errors,
          },
        },
        post: {
          summary: 'Cut an extract at the current watermark (statement-level rows, per-study pseudonyms)',
          security: security('research/extracts'),
          parameters: [studyId],
          requestBody: { required: true, content: json('ExtractRequest') },
          responses: {
            '201': {
              description: 'The extract’s record; download its data from …/data',
              content: json('Extract'),
            },
            '503': { description: 'No consistent-through watermark yet', content: json('Error') },
            ...notFound('study'),
            ...errors,
          },
        },
      },
      '/studies/{studyId}/extracts/{extractId}': {
        get: {
          summary: 'One extract’s record',
          security: security('research/extracts'),
          parameters: [studyId, extractId],
          responses: {
            '200': { description: 'The extract', content: json('Extract') },
            ...notFound('extract'),
            ...errors,
          },
        },
      },
      '/studies/{studyId}/extracts/{extractId}/data': {
        get: {
          summary: 'The extract’s rows, cut again with the recorded bounds (same bytes every time)',
          security: security('research/extracts'),
          parameters: [studyId, extractId],
          responses: {
            '200': {
              description: 'CSV or Parquet; X-Extract-SHA256 is the digest of these bytes',
              content: {
                'text/csv': { schema: { type: 'string' } },
                'application/vnd.apache.parquet': { schema: { type: 'string', contentEncoding: 'binary' } },
              },
              headers: {
                'X-Extract-SHA256': { description: 'SHA-256 of these bytes', schema: { type: 'string' } },
                'X-Extract-Cut-Through': {
                  description: 'only statements stored up to here are in the extract',
                  schema: { type: 'string', format: 'date-time' },
                },
                'X-Extract-Reproduced': {
                  description: 'whether the bytes equal the first delivery (false after an erasure)',
                  schema: { type: 'string', enum: ['true', 'false'] },
                },
              },
            },
            ...notFound('extract'),
            ...errors,
          },
        },
      },
      '/audit': {
        get: {
          summary: 'The audit log, newest first',
          security: security('research/audit'),
          parameters: [
            { name: 'since', in: 'query', required: false, schema: { type: 'string', format: 'date-time' } },
            { name: 'principal', in: 'query', required: false, schema: { type: 'string' } },
            {
              name: 'action',
              in: 'query',
              required: false,
              schema: { type: 'string', enum: [...AUDIT_ACTIONS] },
            },
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: 10000 },
            },
          ],
          responses: {
            '200': {
              description: 'Audit records',
              content: {
                'application/json': {
                  schema: { type: 'array', items: { $ref: '#/components/schemas/AuditRecord' } },
                },
              },
            },
            ...errors,
          },
        },
      },
      '/learners/{learnerId}': {
        delete: {
          summary:
            'PIPL erasure: the learner’s statements, registry entry, contributions to the aggregates and ' +
            'xAPI documents (State, Agent Profile)',
          security: security('research/erasure'),
          parameters: [{ name: 'learnerId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'What was removed' },
            ...notFound('learner'),
            ...errors,
          },
        },
      },
    },
  };
}
