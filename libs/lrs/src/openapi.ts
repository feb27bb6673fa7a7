import { z } from 'zod';
import {
  learnerPutBodySchema,
  learnerRecordSchema,
  learnerTombstoneSchema,
  type LearnerIssue,
} from '@app/enrichment';
import {
  activityDefinitionSchema,
  actorSchema,
  agentSchema,
  extensionsSchema,
  iriSchema,
  isoTimestampSchema,
  languageMapSchema,
  mailtoSchema,
  rfc3339TimestampSchema,
  statement20Schema,
  statementSchema,
  uuidSchema,
} from '@app/xapi';
import { CREDENTIAL_SCOPES } from './credentials';
import { ACTIVITIES_PATH, AGENTS_PATH, DOCUMENT_PATHS } from './documents/documents.http';

/**
 * The gateway's OpenAPI 3.1 document. Request and response schemas are derived from the zod schemas that
 * validate them (z.toJSONSchema), so the document cannot drift from validation; only routes and prose are
 * written here. Served at GET /xapi/openapi.json (see openapi.module.ts) and fuzzed by schemathesis.
 */

export const OPENAPI_JSON_PATH = '/xapi/openapi.json';
export const DOCS_PATH = '/docs';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface OpenApiDocument extends JsonObject {
  openapi: string;
  info: JsonObject;
  paths: { [path: string]: JsonObject };
  components: { schemas: { [name: string]: JsonObject } } & JsonObject;
}

export interface OpenApiDocumentOptions {
  /** `servers[0].url`; default `/` (the host serving the document). */
  readonly serverUrl?: string;
  /** The API's version in `info.version`. */
  readonly apiVersion?: string;
}

// ---- zod → JSON Schema ---------------------------------------------------------------------------------

/**
 * Custom zod checks (IRI, UUID, language maps) have no JSON Schema form of their own; these give the generated
 * schemas the shape the checks enforce, so generated requests look like real ones and responses are checked.
 */
const SCHEMA_HINTS = new Map<z.core.$ZodType, JsonObject>([
  [uuidSchema, { type: 'string', format: 'uuid' }],
  // Necessary conditions only (looser than the checks), so a value the LRS accepted always conforms.
  [iriSchema, { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9+.-]*:\\S' }],
  [mailtoSchema, { type: 'string', pattern: '^mailto:[^@\\s]+@[^@\\s]+$' }],
  [isoTimestampSchema, { type: 'string', description: 'ISO 8601 timestamp with a time zone' }],
  [rfc3339TimestampSchema, { type: 'string', description: 'RFC 3339 timestamp' }],
  [
    languageMapSchema,
    {
      type: 'object',
      description: 'language map: RFC 5646 language tags to strings',
      additionalProperties: { type: 'string' },
    },
  ],
  [extensionsSchema, { type: 'object', description: 'extensions: IRI keys to any JSON value' }],
]);

function hintFor(schema: z.core.$ZodType): JsonObject | undefined {
  const direct = SCHEMA_HINTS.get(schema);
  if (direct) return direct;
  // A pipe (check → transform) is rendered by its input side; the hint belongs to the pipe.
  const def = schema._zod.def as { type: string; in?: z.core.$ZodType };
  return def.type === 'pipe' && def.in ? SCHEMA_HINTS.get(def.in) : undefined;
}

/**
 * `z.preprocess(wrap-in-array, z.array(x))`, as contextActivities uses (Data 2.4.6.2: one Activity or a list):
 * zod renders only the array; the request may send either form.
 */
function isSingleOrList(schema: z.core.$ZodType): boolean {
  const def = schema._zod.def as { type: string; in?: z.core.$ZodType; out?: z.core.$ZodType };
  return def.type === 'pipe' && def.in?._zod.def.type === 'transform' && def.out?._zod.def.type === 'array';
}

/** JSON Schema (2020-12, the dialect of OpenAPI 3.1) of what a zod schema accepts. */
export function jsonSchemaOf(schema: z.core.$ZodType): JsonObject {
  const generated = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      if (isSingleOrList(ctx.zodSchema)) {
        const list = structuredClone(ctx.jsonSchema) as JsonObject;
        const target = ctx.jsonSchema as Record<string, unknown>;
        for (const key of Object.keys(target)) delete target[key];
        target.anyOf = [list.items, list];
        return;
      }
      const hint = hintFor(ctx.zodSchema);
      if (hint === undefined) return;
      const target = ctx.jsonSchema as Record<string, unknown>;
      for (const key of Object.keys(target)) delete target[key];
      Object.assign(target, structuredClone(hint));
    },
  }) as JsonObject;
  delete generated.$schema;
  return generated;
}

// ---- schemas that exist only for the document (response bodies built in code) -------------------------

/** The body of every refusal: the LRS's `{ error, message, ...details }`, and Nest's and Fastify's own. */
export const errorBodySchema = z
  .looseObject({
    // Fastify refuses unreadable bodies (bad JSON, wrong media type, too large) before any route runs, and
    // Nest answers those with { statusCode, message } only.
    error: z
      .string()
      .optional()
      .describe(
        'short reason, e.g. bad-request, invalid, conflict, rate-limited; absent on framework refusals',
      ),
    message: z.union([z.string(), z.array(z.string())]),
    errors: z
      .array(
        z.looseObject({
          index: z.number().int(),
          path: z.string(),
          rule: z.string(),
          message: z.string(),
        }),
      )
      .optional()
      .describe('400 invalid: every broken rule of every statement of the batch'),
    statementId: z.string().optional().describe('409: the conflicting statement id'),
    path: z.string().optional().describe('409: where the stored statement differs first'),
    retryAfterSeconds: z.number().optional(),
    requestId: z.string().optional(),
    line: z.number().int().optional(),
    statusCode: z.number().int().optional(),
  })
  .describe('A refusal; nothing of the request was stored.');

const learnerIssueSchema = z.object({
  field: z.string(),
  rule: z.string(),
  message: z.string(),
}) satisfies z.ZodType<LearnerIssue>;

export const registryErrorBodySchema = z.object({
  error: z.string(),
  issues: z.array(learnerIssueSchema),
  line: z.number().int().optional(),
});

export const learnerImportReportSchema = z.object({
  accepted: z.number().int().nonnegative(),
  rejected: z.array(
    z.object({
      line: z.number().int(),
      learnerId: z.string().nullable(),
      reasons: z.array(learnerIssueSchema),
    }),
  ),
  ignoredColumns: z.array(z.string()),
});

export const attendanceReportSchema = z.strictObject({
  accepted: z.array(
    z.strictObject({ line: z.number().int(), id: z.string(), status: z.enum(['stored', 'duplicate']) }),
  ),
  rejected: z.array(z.strictObject({ line: z.number().int(), reasons: z.array(z.string()) })),
  stored: z.number().int().nonnegative(),
  alreadyStored: z.number().int().nonnegative(),
});

export const aboutSchema = z.object({
  version: z.array(z.string()).describe('xAPI versions this LRS supports'),
  extensions: z.record(z.string(), z.unknown()).optional(),
});

export const healthReportSchema = z.object({
  status: z.enum(['up', 'down']),
  checks: z.record(z.string(), z.object({ status: z.enum(['up', 'down']), detail: z.string().optional() })),
});

// ---- building blocks of the paths ----------------------------------------------------------------------

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonObject): JsonObject => ({ 'application/json': { schema } });

const VERSION_HEADER: JsonObject = {
  description: 'The xAPI version the answer follows (1.0.3, or 2.0.0 when the request asked for 2.0.x).',
  required: true,
  schema: { type: 'string' },
};

/** A response of an xAPI route: always carries X-Experience-API-Version. */
function xapiResponse(description: string, content?: JsonObject, headers: JsonObject = {}): JsonObject {
  return {
    description,
    headers: { 'X-Experience-API-Version': VERSION_HEADER, ...headers },
    ...(content && { content }),
  };
}

function errorResponse(description: string, xapi: boolean, headers: JsonObject = {}): JsonObject {
  const content = json(ref('ErrorBody'));
  return xapi
    ? xapiResponse(description, content, headers)
    : { description, content, ...(Object.keys(headers).length > 0 && { headers }) };
}

const WWW_AUTHENTICATE: JsonObject = {
  'WWW-Authenticate': { description: 'Basic challenge', schema: { type: 'string' } },
};
const RETRY_AFTER: JsonObject = {
  'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'string' } },
};

/** The refusals every authenticated route can give. */
function commonErrors(xapi: boolean, codes: readonly number[]): JsonObject {
  const all: Record<number, () => JsonObject> = {
    400: () => errorResponse('Bad request: missing/unsupported version header, bad parameter or body', xapi),
    401: () => errorResponse('No or wrong HTTP Basic credentials', xapi, WWW_AUTHENTICATE),
    403: () => errorResponse('The credential lacks the scope this route needs', xapi),
    404: () => errorResponse('Not found', xapi),
    409: () => errorResponse('A statement with this id is already stored with different content', xapi),
    412: () => errorResponse('If-Match / If-None-Match precondition failed; nothing was changed', xapi),
    413: () => errorResponse('The request body is larger than the configured limit', xapi),
    // Fastify's maxParamLength (100): a longer path parameter is refused before routing.
    414: () => errorResponse('A path parameter longer than 100 characters', xapi),
    415: () => errorResponse('Unsupported Content-Type', xapi),
    501: () => errorResponse('Attachment data sent to a gateway without an attachment store', xapi),
    429: () => errorResponse('Rate limit of this credential exceeded', xapi, RETRY_AFTER),
    503: () =>
      errorResponse('Storage or message bus unavailable; nothing was stored, retry', xapi, RETRY_AFTER),
  };
  return Object.fromEntries(codes.map((code) => [String(code), all[code]()]));
}

const versionParameter = (): JsonObject => ({
  name: 'X-Experience-API-Version',
  in: 'header',
  required: true,
  description: 'xAPI version of the request: any 1.0.x (validated as 1.0.3) or 2.0.x (as 2.0.0).',
  schema: { type: 'string', enum: ['1.0.3', '1.0.0', '2.0.0'] },
});

const queryParameter = (name: string, description: string, schema: JsonObject): JsonObject => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

const booleanQuery = (name: string, description: string): JsonObject =>
  queryParameter(name, `${description} Default false.`, { type: 'boolean', default: false });

/** GET /xapi/statements query parameters (xAPI 1.0.3 Communication 2.1.3). */
const statementQueryParameters: JsonObject[] = [
  queryParameter('statementId', 'Id of the statement to return (then no other filter is allowed).', {
    type: 'string',
    format: 'uuid',
  }),
  queryParameter('voidedStatementId', 'Id of a voided statement to return.', {
    type: 'string',
    format: 'uuid',
  }),
  {
    name: 'agent',
    in: 'query',
    required: false,
    description: 'Agent or Group (JSON) that is the actor or object of the statements.',
    content: json(ref('Actor')),
  },
  queryParameter('verb', 'Verb IRI.', { type: 'string' }),
  queryParameter('activity', 'Activity IRI the statements are about.', { type: 'string' }),
  queryParameter('registration', 'Registration UUID.', { type: 'string', format: 'uuid' }),
  booleanQuery('related_activities', 'Also match the activity in context and sub-statements.'),
  booleanQuery('related_agents', 'Also match the agent in context, authority and sub-statements.'),
  queryParameter('since', 'Only statements stored after this timestamp (exclusive).', {
    type: 'string',
    format: 'date-time',
  }),
  queryParameter('until', 'Only statements stored at or before this timestamp.', {
    type: 'string',
    format: 'date-time',
  }),
  queryParameter('limit', 'Most statements in one page; 0 means the server maximum.', {
    type: 'integer',
    minimum: 0,
    maximum: 999_999_999,
    default: 0,
  }),
  queryParameter(
    'format',
    'ids: agents/activities/verbs by id only; exact: as stored; canonical: one language.',
    {
      type: 'string',
      enum: ['ids', 'exact', 'canonical'],
      default: 'exact',
    },
  ),
  booleanQuery('attachments', 'Answer multipart/mixed with the attachment data.'),
  booleanQuery('ascending', 'Oldest first.'),
  queryParameter(
    'more',
    "Opaque cursor of a `more` link (this LRS's own; the link carries it). No other parameter may be given with it.",
    { type: 'string' },
  ),
];

const readHeaders: JsonObject = {
  'X-Experience-API-Consistent-Through': {
    description: 'Every statement stored before this timestamp is visible to queries.',
    required: true,
    schema: { type: 'string', format: 'date-time' },
  },
  'Last-Modified': {
    description: 'When the newest returned statement was stored.',
    schema: { type: 'string' },
  },
};

/** Realistic request bodies: the examples phase of the fuzz test sends them, and Swagger UI prefills them. */
const STATEMENT_EXAMPLE: JsonObject = {
  actor: { objectType: 'Agent', mbox: 'mailto:liu.ayi@example.org', name: '刘阿姨' },
  verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'zh-CN': '完成' } },
  object: { id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/2' },
  result: { completion: true, duration: 'PT45M' },
  context: { extensions: { 'https://learn.jlp.cq.cn/xapi/extensions/learning-point': 'LP001' } },
  timestamp: '2026-11-20T10:15:00+08:00',
};
const ATTENDANCE_EXAMPLE = [
  'learner,date,session,learning_point,module,outcome,score',
  'L000123,2026-03-02,morning,LP002,computer-principles,attended,',
  'L000124,2026-03-02,afternoon,LP002,common-software,passed,86',
].join('\r\n');
const LEARNER_EXAMPLE: JsonObject = {
  identities: ['mbox:mailto:liu.ayi@example.org'],
  birthYear: 1955,
  gender: 'female',
  homeTownId: 'T01',
  homeLearningPointId: 'LP002',
};
const LEARNER_CSV_EXAMPLE = [
  'learner_id,identities,birth_year,gender,home_town_id,home_learning_point_id',
  'L000125,mbox:mailto:zhang.shu@example.org,1958,male,T01,LP002',
].join('\r\n');

const basicAuth: JsonValue = [{ basicAuth: [] }];
const publicRoute: JsonValue = [];

function statementsPath(): JsonObject {
  const xapiErrors = (codes: readonly number[]) => commonErrors(true, codes);
  const getResponses = (withBody: boolean): JsonObject => ({
    '200': xapiResponse(
      'A StatementResult (query form) or one Statement (statementId, voidedStatementId)',
      withBody
        ? {
            'application/json': { schema: { oneOf: [ref('StatementResult'), ref('StoredStatement')] } },
            'multipart/mixed': { schema: { type: 'string', description: 'attachments=true' } },
          }
        : undefined,
      readHeaders,
    ),
    ...xapiErrors([400, 401, 403, 404, 429]),
  });
  const get = (withBody: boolean): JsonObject => ({
    tags: ['xAPI Statements'],
    operationId: withBody ? 'getStatements' : 'headStatements',
    summary: withBody ? 'Read statements (one by id, or a page of a query)' : 'Headers of GET, no body',
    security: basicAuth,
    parameters: [versionParameter(), ...statementQueryParameters],
    responses: getResponses(withBody),
  });
  return {
    post: {
      tags: ['xAPI Statements'],
      operationId: 'postStatements',
      summary: 'Store one statement or a batch; answers the ids in order',
      description:
        'With `?method=GET|HEAD|PUT|POST` this is the alternate request syntax (Communication 1.3): the body is ' +
        'an application/x-www-form-urlencoded form whose header fields (Authorization, X-Experience-API-Version, ' +
        'Content-Type) act as headers, `content` as the body and every other field as a query parameter; the ' +
        'answer is that of the request it stands for. Statements with attachment data are sent as ' +
        'multipart/mixed (the statements part first, then one part per attachment with X-Experience-API-Hash).',
      security: basicAuth,
      parameters: [
        versionParameter(),
        {
          name: 'method',
          in: 'query',
          required: false,
          description:
            'Alternate request syntax: the method this POST stands for (then the only parameter). ' +
            "With HEAD the answer has GET's status and headers and no body.",
          schema: { type: 'string', enum: ['GET', 'HEAD', 'PUT', 'POST'] },
        },
      ],
      requestBody: {
        // A bare `POST ?method=GET` (no form) is a GET without parameters; every other POST needs a body.
        required: false,
        content: {
          'application/json': {
            schema: { oneOf: [ref('Statement'), { type: 'array', items: ref('Statement') }] },
            example: STATEMENT_EXAMPLE,
          },
          'application/x-www-form-urlencoded': { schema: ref('AlternateRequestForm') },
          'multipart/mixed': { schema: { type: 'string', format: 'binary' } },
        },
      },
      responses: {
        '200': xapiResponse(
          'The statement ids (generated where absent), in request order; with ?method=GET, what GET answers',
          {
            'application/json': {
              schema: {
                oneOf: [
                  { type: 'array', items: { type: 'string', format: 'uuid' } },
                  ref('StatementResult'),
                  ref('StoredStatement'),
                ],
              },
            },
            'multipart/mixed': {
              schema: { type: 'string', description: '?method=GET with attachments=true' },
            },
          },
        ),
        '204': xapiResponse('?method=PUT: stored'),
        ...xapiErrors([400, 401, 403, 404, 409, 413, 415, 429, 501, 503]),
      },
    },
    put: {
      tags: ['xAPI Statements'],
      operationId: 'putStatement',
      summary: 'Store one statement under the given id',
      security: basicAuth,
      parameters: [
        versionParameter(),
        {
          name: 'statementId',
          in: 'query',
          required: true,
          description: 'The statement id (the body id, if present, must be the same).',
          schema: { type: 'string', format: 'uuid' },
        },
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: ref('Statement'), example: STATEMENT_EXAMPLE },
          'multipart/mixed': { schema: { type: 'string', format: 'binary' } },
        },
      },
      responses: {
        '204': xapiResponse('Stored (or already stored with the same content)'),
        ...xapiErrors([400, 401, 403, 409, 413, 415, 429, 501, 503]),
      },
    },
    get: get(true),
    head: get(false),
  };
}

const DOCUMENT_HEADERS: JsonObject = {
  ETag: {
    description: 'Quoted lower-case hex SHA-1 of the content (Communication 3.1)',
    schema: { type: 'string' },
  },
  'Last-Modified': {
    description: 'When the (newest) document was last modified',
    schema: { type: 'string' },
  },
};

/** The document resources (State, Activity Profile, Agent Profile) and /xapi/agents, /xapi/activities. */
function documentPaths(): { [path: string]: JsonObject } {
  const xapiErrors = (codes: readonly number[]) => commonErrors(true, codes);
  const agentParameter = (description: string): JsonObject => ({
    name: 'agent',
    in: 'query',
    required: true,
    description,
    content: json(ref('Agent')),
  });
  const activityIdParameter = (description: string): JsonObject => ({
    name: 'activityId',
    in: 'query',
    required: true,
    description,
    schema: jsonSchemaOf(iriSchema),
  });
  const since = queryParameter('since', 'Only ids of documents updated after this timestamp (exclusive).', {
    type: 'string',
    format: 'date-time',
  });
  const resources = [
    {
      path: DOCUMENT_PATHS.state,
      name: 'State',
      idName: 'stateId',
      scope: 'state',
      context: [
        activityIdParameter('The Activity the state belongs to (IRI).'),
        agentParameter('The Agent the state belongs to.'),
        queryParameter('registration', 'The registration the state belongs to.', {
          type: 'string',
          format: 'uuid',
        }),
      ],
      concurrency:
        'PUT, POST and DELETE need no concurrency header; If-Match / If-None-Match are checked when sent.',
    },
    {
      path: DOCUMENT_PATHS.activity_profile,
      name: 'ActivityProfile',
      idName: 'profileId',
      scope: 'profile',
      context: [activityIdParameter('The Activity the profile belongs to (IRI).')],
      concurrency:
        'PUT needs If-Match (the ETag of a GET) or If-None-Match: * (409 when the profile exists, 400 when it ' +
        'does not); If-Match / If-None-Match are checked on POST and DELETE when sent.',
    },
    {
      path: DOCUMENT_PATHS.agent_profile,
      name: 'AgentProfile',
      idName: 'profileId',
      scope: 'profile',
      context: [agentParameter('The Agent the profile belongs to (an Agent, not a Group).')],
      concurrency:
        'PUT needs If-Match (the ETag of a GET) or If-None-Match: * (409 when the profile exists, 400 when it ' +
        'does not); If-Match / If-None-Match are checked on POST and DELETE when sent.',
    },
  ];
  const preconditions: JsonObject[] = [
    {
      name: 'If-Match',
      in: 'header',
      required: false,
      description: 'Change only if the document has one of these ETags (or exists, for *).',
      schema: { type: 'string' },
    },
    {
      name: 'If-None-Match',
      in: 'header',
      required: false,
      description: '*: change only if there is no such document.',
      schema: { type: 'string' },
    },
  ];
  const paths: { [path: string]: JsonObject } = {};
  for (const resource of resources) {
    const tags = ['xAPI Documents'];
    const security = basicAuth;
    const id = (required: boolean, what: string): JsonObject => ({
      name: resource.idName,
      in: 'query',
      required,
      description: what,
      schema: { type: 'string', minLength: 1 },
    });
    const get = (withBody: boolean): JsonObject => ({
      tags,
      operationId: `${withBody ? 'get' : 'head'}${resource.name}`,
      summary: withBody
        ? `One document by ${resource.idName}, or (without it) the ids of the context's documents`
        : 'Headers of GET, no body',
      description: `Needs scope ${resource.scope} or all/read.`,
      security,
      parameters: [
        versionParameter(),
        ...resource.context,
        id(false, 'The document to return; without it, the ids of every document of the context.'),
        since,
      ],
      responses: {
        '200': xapiResponse(
          'The document as stored (its own Content-Type), or a JSON array of ids',
          withBody
            ? {
                'application/json': { schema: {} },
                'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
                '*/*': { schema: { type: 'string', format: 'binary' } },
              }
            : undefined,
          DOCUMENT_HEADERS,
        ),
        ...xapiErrors([400, 401, 403, 404, 429, 503]),
      },
    });
    const write = (method: 'put' | 'post'): JsonObject => ({
      tags,
      operationId: `${method}${resource.name}`,
      summary:
        method === 'put'
          ? 'Store the document (replacing any)'
          : 'Store the document, or merge a JSON object into the stored JSON object (Communication 2.2.s7)',
      description: `Needs scope ${resource.scope}. ${resource.concurrency}`,
      security,
      parameters: [versionParameter(), ...resource.context, id(true, 'The document.'), ...preconditions],
      requestBody: {
        required: false,
        content: {
          // Documents are any octets; POST merges only JSON objects.
          'application/json': { schema: method === 'put' ? {} : { type: 'object' }, example: { page: 12 } },
          'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
        },
      },
      responses: {
        '204': xapiResponse('Stored', undefined, { ETag: DOCUMENT_HEADERS.ETag }),
        ...xapiErrors([400, 401, 403, 409, 412, 413, 429, 503]),
      },
    });
    paths[resource.path] = {
      get: get(true),
      head: get(false),
      put: write('put'),
      post: write('post'),
      delete: {
        tags,
        operationId: `delete${resource.name}`,
        summary:
          resource.idName === 'stateId'
            ? 'Delete the document, or (without stateId) every document of the context'
            : 'Delete the document',
        description: `Needs scope ${resource.scope}. ${resource.concurrency}`,
        security,
        parameters: [
          versionParameter(),
          ...resource.context,
          id(resource.idName !== 'stateId', 'The document to delete.'),
          preconditions[0],
        ],
        responses: {
          '204': xapiResponse('Deleted (or there was nothing to delete)'),
          ...xapiErrors([400, 401, 403, 412, 429, 503]),
        },
      },
    };
  }
  const lookup = (
    operation: string,
    summary: string,
    parameter: JsonObject,
    body: JsonObject,
    withBody: boolean,
  ): JsonObject => ({
    tags: ['xAPI Documents'],
    operationId: `${withBody ? 'get' : 'head'}${operation}`,
    summary: withBody ? summary : 'Headers of GET, no body',
    description: 'Needs scope statements/read or all/read.',
    security: basicAuth,
    parameters: [versionParameter(), parameter],
    responses: {
      '200': xapiResponse(summary, withBody ? json(body) : undefined),
      ...xapiErrors([400, 401, 403, 429, 503]),
    },
  });
  const agentsArgs = [
    'Agents',
    'The Person object of the Agent (Communication 2.4)',
    agentParameter('The Agent.'),
    ref('Person'),
  ] as const;
  const activitiesArgs = [
    'Activity',
    'The Activity with the definitions statements gave it, merged (Communication 2.5)',
    activityIdParameter('The Activity id (IRI).'),
    ref('ActivityObject'),
  ] as const;
  paths[AGENTS_PATH] = { get: lookup(...agentsArgs, true), head: lookup(...agentsArgs, false) };
  paths[ACTIVITIES_PATH] = { get: lookup(...activitiesArgs, true), head: lookup(...activitiesArgs, false) };
  return paths;
}

function registryPaths(): { [path: string]: JsonObject } {
  const idParameter: JsonObject = {
    name: 'id',
    in: 'path',
    required: true,
    description: 'Our pseudonymous learner id: L + 1–20 digits, or a UUID.',
    schema: { type: 'string' },
    example: 'L000123',
  };
  const invalid: JsonObject = {
    description: 'Invalid learner or CSV (every issue listed), or a bad request',
    content: json({ anyOf: [ref('RegistryError'), ref('ErrorBody')] }),
  };
  const errors = (codes: readonly number[]) => ({ '400': invalid, ...commonErrors(false, codes) });
  return {
    '/registry/learners/import': {
      post: {
        tags: ['Learner registry'],
        operationId: 'importLearners',
        summary: 'Import learners from CSV; accepted rows stored, rejected rows listed with their lines',
        security: basicAuth,
        requestBody: {
          required: true,
          content: { 'text/csv': { schema: { type: 'string' }, example: LEARNER_CSV_EXAMPLE } },
        },
        responses: {
          '200': { description: 'Import report', content: json(ref('LearnerImportReport')) },
          ...errors([401, 403, 413, 415, 503]),
        },
      },
    },
    '/registry/learners/{id}': {
      parameters: [idParameter],
      put: {
        tags: ['Learner registry'],
        operationId: 'putLearner',
        summary: 'Create or replace a learner (scope registry/write)',
        security: basicAuth,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('LearnerPutBody'), example: LEARNER_EXAMPLE } },
        },
        responses: {
          '200': { description: 'The stored learner', content: json(ref('LearnerRecord')) },
          ...errors([401, 403, 413, 414, 415, 503]),
        },
      },
      get: {
        tags: ['Learner registry'],
        operationId: 'getLearner',
        summary: 'Read a learner (scope statements/read)',
        security: basicAuth,
        responses: {
          '200': { description: 'The learner', content: json(ref('LearnerRecord')) },
          ...errors([401, 403, 404, 414, 503]),
        },
      },
      delete: {
        tags: ['Learner registry'],
        operationId: 'deleteLearner',
        summary: 'Erase a learner (PIPL); answers the tombstone',
        security: basicAuth,
        responses: {
          '200': { description: 'The tombstone', content: json(ref('LearnerTombstone')) },
          ...errors([401, 403, 404, 414, 503]),
        },
      },
    },
  };
}

function operationsPaths(): { [path: string]: JsonObject } {
  return {
    '/health': {
      get: {
        tags: ['Operations'],
        operationId: 'getHealth',
        summary: 'Health of every component (broker, warehouse, consumers)',
        security: publicRoute,
        responses: {
          '200': { description: 'Every check is up', content: json(ref('HealthReport')) },
          '503': { description: 'At least one check is down', content: json(ref('HealthReport')) },
        },
      },
    },
    '/metrics': {
      get: {
        tags: ['Operations'],
        operationId: 'getMetrics',
        summary: 'Prometheus metrics',
        security: publicRoute,
        responses: {
          '200': {
            description: 'Prometheus text exposition format',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    [OPENAPI_JSON_PATH]: {
      get: {
        tags: ['Documentation'],
        operationId: 'getOpenApiDocument',
        summary: 'This document',
        security: publicRoute,
        responses: {
          '200': xapiResponse('OpenAPI 3.1 document', json({ type: 'object' })),
        },
      },
    },
    [DOCS_PATH]: {
      get: {
        tags: ['Documentation'],
        operationId: 'getDocsPage',
        summary: 'Swagger UI page for this document',
        security: publicRoute,
        responses: {
          '200': { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } },
        },
      },
    },
    [`${DOCS_PATH}/assets/{file}`]: {
      get: {
        tags: ['Documentation'],
        operationId: 'getDocsAsset',
        summary: 'Static files of the Swagger UI page',
        security: publicRoute,
        parameters: [
          { name: 'file', in: 'path', required: true, schema: { type: 'string' }, example: 'swagger-ui.css' },
        ],
        responses: {
          '200': {
            description: 'The file',
            content: {
              'text/css': { schema: { type: 'string' } },
              'application/javascript': { schema: { type: 'string' } },
              'image/png': { schema: { type: 'string' } },
            },
          },
          ...commonErrors(false, [404, 414]),
        },
      },
    },
  };
}

/** The whole gateway (and the embedded one-process app, which serves the same routes) as OpenAPI 3.1. */
export function buildOpenApiDocument(options: OpenApiDocumentOptions = {}): OpenApiDocument {
  const xapiErrors = (codes: readonly number[]) => commonErrors(true, codes);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Learning records gateway',
      version: options.apiVersion ?? '1.0.0',
      description:
        'xAPI 1.0.3 (and 2.0.0) Statement API and document resources, classroom attendance upload, learner ' +
        'registry and operations ' +
        'endpoints. Every xAPI route requires the X-Experience-API-Version header and answers with it. ' +
        `Credentials are HTTP Basic with scopes (${CREDENTIAL_SCOPES.join(', ')}). ` +
        'The research API of the embedded app documents itself at /research/docs; the dashboards at / are a ' +
        'browser application, not part of this API.',
    },
    servers: [{ url: options.serverUrl ?? '/' }],
    tags: [
      { name: 'xAPI Statements', description: 'xAPI Statement Resource (Communication 2.1)' },
      {
        name: 'xAPI Documents',
        description: 'State, Activity and Agent Profile, Agents, Activities (2.3–2.7)',
      },
      { name: 'xAPI', description: 'Other xAPI resources' },
      { name: 'Learner registry' },
      { name: 'Operations' },
      { name: 'Documentation' },
    ],
    paths: {
      '/xapi/statements': statementsPath(),
      '/xapi/about': {
        get: {
          tags: ['xAPI'],
          operationId: 'getAbout',
          summary: 'xAPI versions and extensions this LRS supports (no credentials needed)',
          security: [{}, { basicAuth: [] }],
          // Communication 2.8: About answers whatever version the client speaks, so any value is accepted.
          parameters: [
            {
              name: 'X-Experience-API-Version',
              in: 'header',
              required: false,
              description: 'Optional here; not checked.',
              schema: { type: 'string' },
            },
          ],
          responses: { '200': xapiResponse('About', json(ref('About'))), ...xapiErrors([400]) },
        },
      },
      '/xapi/classroom/attendance': {
        post: {
          tags: ['xAPI'],
          operationId: 'postAttendance',
          summary: 'Upload a paper sign-in sheet as CSV: one statement per row (source classroom)',
          security: basicAuth,
          parameters: [versionParameter()],
          requestBody: {
            required: true,
            content: { 'text/csv': { schema: { type: 'string' }, example: ATTENDANCE_EXAMPLE } },
          },
          responses: {
            '200': xapiResponse('At least one row accepted (or no rows)', json(ref('AttendanceReport'))),
            '400': xapiResponse(
              'Every row rejected, or the request is bad',
              json({ anyOf: [ref('AttendanceReport'), ref('ErrorBody')] }),
            ),
            ...xapiErrors([401, 403, 413, 415, 429, 503]),
          },
        },
      },
      ...documentPaths(),
      ...registryPaths(),
      ...operationsPaths(),
    },
    components: {
      securitySchemes: { basicAuth: { type: 'http', scheme: 'basic' } },
      schemas: {
        Statement: {
          ...jsonSchemaOf(statementSchema),
          description:
            'An xAPI 1.0.3 Statement as a client sends it (validated by @app/xapi statementSchema).',
        },
        StoredStatement: {
          ...jsonSchemaOf(statement20Schema),
          description: 'A Statement as the LRS returns it (1.0.3 form, or 2.0.0 with contextAgents/Groups).',
        },
        StatementResult: {
          type: 'object',
          properties: {
            statements: { type: 'array', items: ref('StoredStatement') },
            more: { type: 'string', description: 'Relative IRL of the next page; empty when there is none' },
          },
          required: ['statements'],
          additionalProperties: false,
        },
        Actor: jsonSchemaOf(actorSchema),
        Agent: jsonSchemaOf(agentSchema),
        Person: {
          type: 'object',
          description: 'Communication 2.4.s5: each identifier of the Agent as an array',
          properties: {
            objectType: { const: 'Person' },
            name: { type: 'array', items: { type: 'string' } },
            mbox: { type: 'array', items: { type: 'string' } },
            mbox_sha1sum: { type: 'array', items: { type: 'string' } },
            openid: { type: 'array', items: { type: 'string' } },
            account: {
              type: 'array',
              items: {
                type: 'object',
                properties: { homePage: { type: 'string' }, name: { type: 'string' } },
                required: ['homePage', 'name'],
              },
            },
          },
          required: ['objectType'],
          additionalProperties: false,
        },
        ActivityObject: {
          type: 'object',
          properties: {
            objectType: { const: 'Activity' },
            id: { type: 'string' },
            definition: jsonSchemaOf(activityDefinitionSchema),
          },
          required: ['objectType', 'id'],
          additionalProperties: false,
        },
        About: jsonSchemaOf(aboutSchema),
        AlternateRequestForm: {
          type: 'object',
          description: 'Alternate request syntax form (Communication 1.3); every field is text.',
          properties: {
            content: { type: 'string', description: 'the request body it stands for (JSON)' },
            'X-Experience-API-Version': { type: 'string' },
            'Content-Type': { type: 'string' },
            Authorization: { type: 'string' },
          },
          additionalProperties: { type: 'string' },
        },
        AttendanceReport: jsonSchemaOf(attendanceReportSchema),
        ErrorBody: jsonSchemaOf(errorBodySchema),
        RegistryError: jsonSchemaOf(registryErrorBodySchema),
        LearnerPutBody: jsonSchemaOf(learnerPutBodySchema),
        LearnerRecord: jsonSchemaOf(learnerRecordSchema),
        LearnerTombstone: jsonSchemaOf(learnerTombstoneSchema),
        LearnerImportReport: jsonSchemaOf(learnerImportReportSchema),
        HealthReport: jsonSchemaOf(healthReportSchema),
      },
    },
  };
}
