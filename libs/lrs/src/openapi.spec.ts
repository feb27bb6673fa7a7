import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import Ajv2020 from 'ajv/dist/2020';
import { RegistryModule, type LearnerRegistry } from '@app/registry';
import { AttachmentsNotDurableError, AttachmentsNotSupportedError } from './attachments';
import {
  BadRequestError,
  ForbiddenError,
  RateLimitedError,
  StatementConflictError,
  StatementsNotDurableError,
  StatementValidationFailedError,
  UnauthenticatedError,
  type LrsHttpError,
} from './errors';
import { buildOpenApiDocument, errorBodySchema, type JsonObject, type JsonValue } from './openapi';
import { OpenApiModule } from './openapi.module';
import { startLrsTestApp } from './testing/lrs-test-app';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'statements');

function fixtures(dir: string): { file: string; json: unknown }[] {
  return readdirSync(join(FIXTURES, dir))
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, json: JSON.parse(readFileSync(join(FIXTURES, dir, file), 'utf8')) as unknown }));
}

function refsOf(value: JsonValue, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => refsOf(item, found));
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') found.push(child);
      else refsOf(child, found);
    }
  }
  return found;
}

/** A validator for one component schema, with the document's components resolvable. */
function componentValidator(document: JsonObject, name: string) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'doc', components: document.components } as object);
  return ajv.compile({ $ref: `doc#/components/schemas/${name}` });
}

describe('buildOpenApiDocument', () => {
  const document = buildOpenApiDocument();

  it('is OpenAPI 3.1 with every $ref pointing at a component that exists', () => {
    expect(document.openapi).toBe('3.1.0');
    const refs = refsOf(document);
    expect(refs.length).toBeGreaterThan(20);
    const schemas = document.components.schemas;
    const dangling = refs.filter(
      (r) => !(r.startsWith('#/components/schemas/') && r.split('/')[3] in schemas),
    );
    expect(dangling).toEqual([]);
  });

  it('describes every route the gateway serves', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => ['get', 'put', 'post', 'delete', 'head'].includes(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'POST /xapi/statements',
        'PUT /xapi/statements',
        'GET /xapi/statements',
        'HEAD /xapi/statements',
        'GET /xapi/about',
        'POST /xapi/classroom/attendance',
        ...['/xapi/activities/state', '/xapi/activities/profile', '/xapi/agents/profile'].flatMap((path) =>
          ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'].map((method) => `${method} ${path}`),
        ),
        'GET /xapi/agents',
        'HEAD /xapi/agents',
        'GET /xapi/activities',
        'HEAD /xapi/activities',
        'POST /registry/learners/import',
        'PUT /registry/learners/{id}',
        'GET /registry/learners/{id}',
        'DELETE /registry/learners/{id}',
        'GET /health',
        'GET /metrics',
        'GET /xapi/openapi.json',
        'GET /docs',
        'GET /docs/assets/{file}',
      ].sort(),
    );
  });

  it('requires the version header and Basic credentials on the Statement Resource', () => {
    const post = document.paths['/xapi/statements'].post as JsonObject;
    expect(post.security).toEqual([{ basicAuth: [] }]);
    expect(post.parameters).toContainEqual(
      expect.objectContaining({ name: 'X-Experience-API-Version', in: 'header', required: true }),
    );
    const get = document.paths['/xapi/statements'].get as { parameters: { name: string }[] };
    expect(get.parameters.map((p) => p.name)).toEqual([
      'X-Experience-API-Version',
      'statementId',
      'voidedStatementId',
      'agent',
      'verb',
      'activity',
      'registration',
      'related_activities',
      'related_agents',
      'since',
      'until',
      'limit',
      'format',
      'attachments',
      'ascending',
      'more',
    ]);
  });

  it('derives the Statement schema from the validator: the ok fixtures pass, structural errors fail', () => {
    const statement = componentValidator(document, 'Statement');
    const stored = componentValidator(document, 'StoredStatement');
    for (const { file, json } of fixtures('ok')) {
      const validate = file.endsWith('.v2.json') ? stored : statement;
      expect({ file, errors: validate(json) ? null : validate.errors }).toEqual({ file, errors: null });
    }
    const [valid] = fixtures('ok').map((f) => f.json as Record<string, unknown>);
    expect(statement({ ...valid, actor: undefined })).toBe(false);
    expect(statement({ ...valid, unknownProperty: 1 })).toBe(false);
    expect(statement({ ...valid, verb: { id: 'no scheme' } })).toBe(false);
  });

  it('documents every refusal the Statement API throws, with its body and status', () => {
    const refusals: LrsHttpError[] = [
      new BadRequestError('bad', { line: 3 }),
      new StatementValidationFailedError([
        { index: 0, path: 'actor', rule: 'required', message: 'is required' },
      ]),
      new StatementConflictError('6e9b5a7e-6a1c-4a3e-9b59-6f6d8f1f2c11', 'result.score'),
      new UnauthenticatedError('no credentials'),
      new ForbiddenError('no scope'),
      new RateLimitedError(2),
      new StatementsNotDurableError(new Error('broker down')),
      new AttachmentsNotSupportedError(),
      new AttachmentsNotDurableError(new Error('disk full')),
    ];
    const post = document.paths['/xapi/statements'].post as { responses: Record<string, unknown> };
    for (const refusal of refusals) {
      expect(errorBodySchema.safeParse(refusal.body()).success).toBe(true);
      expect({ refusal: refusal.name, documented: String(refusal.status) in post.responses }).toEqual({
        refusal: refusal.name,
        documented: true,
      });
    }
  });

  it('describes the learner registry bodies from their zod schemas', () => {
    const body = componentValidator(document, 'LearnerPutBody');
    expect(
      body({
        identities: ['mbox:mailto:a@example.org'],
        birthYear: 1955,
        gender: 'female',
        homeTownId: 'T01',
      }),
    ).toBe(true);
    expect(body({ identities: [], birthYear: 1955, gender: 'female', homeTownId: 'T01' })).toBe(false);
    expect(
      body({ identities: ['x'], birthYear: 1955, gender: 'female', homeTownId: 'T01', version: 2 }),
    ).toBe(false);
  });
});

/** `METHOD /path` of every route in Fastify's printed route tree (4 characters of indent per level; `:id` → `{id}`). */
function servedRoutes(printed: string): string[] {
  const prefixes: string[] = [];
  return printed.split('\n').flatMap((line) => {
    const match = /^([\s│]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) return [];
    const depth = match[1].length / 4;
    const path = (depth > 0 ? prefixes[depth - 1] : '') + match[2];
    prefixes.length = depth;
    prefixes.push(path);
    if (match[3] === undefined) return [];
    return match[3].split(', ').map((method) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
  });
}

describe('the document and the served routes', () => {
  const document = buildOpenApiDocument();
  const undocumented = (served: readonly string[]) =>
    served.filter((route) => {
      const [method, path] = route.split(' ');
      const item = document.paths[path];
      if (item?.[method.toLowerCase()] !== undefined) return false;
      return !(method === 'HEAD' && item?.get !== undefined);
    });

  it("documents every route the Statement API module serves (Fastify's implicit HEADs aside)", async () => {
    const app = await startLrsTestApp({});
    try {
      const served = servedRoutes(
        app.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false }),
      );
      expect(served).toContain('GET /xapi/statements');
      expect(undocumented(served)).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('documents every route of the registry and documentation modules', async () => {
    // Routes only: nothing is called, so the registry needs no warehouse.
    const registry = {} as unknown as LearnerRegistry;
    const app = await NestFactory.create<NestFastifyApplication>(
      {
        module: class RoutesOnly {},
        imports: [
          RegistryModule.forRoot({ registry, auth: { authorize: async () => undefined } }),
          OpenApiModule.forRoot(),
        ],
      },
      new FastifyAdapter(),
      { logger: false },
    );
    try {
      await app.init();
      const served = servedRoutes(app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false }));
      expect(served).toContain('PUT /registry/learners/{id}');
      expect(served).toContain('GET /docs/assets/{file}');
      expect(undocumented(served)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe('OpenApiModule', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(OpenApiModule.forRoot(), new FastifyAdapter(), {
      logger: false,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  it('serves the document as JSON', async () => {
    const response = await app.inject({ method: 'GET', url: '/xapi/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual(buildOpenApiDocument());
  });

  it('serves a Swagger UI page whose every asset is served locally', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const assets = [...page.body.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      expect(asset).toMatch(/^\/docs\/assets\//);
      const response = await app.inject({ method: 'GET', url: asset });
      expect({ asset, status: response.statusCode, length: response.rawPayload.length > 0 }).toEqual({
        asset,
        status: 200,
        length: true,
      });
    }
    const init = await app.inject({ method: 'GET', url: '/docs/assets/docs-init.js' });
    expect(init.body).toContain("url: '/xapi/openapi.json'");
  });

  it('serves nothing else of node_modules', async () => {
    for (const file of ['package.json', '..%2Fpackage.json', 'index.html', 'constructor', '__proto__']) {
      const response = await app.inject({ method: 'GET', url: `/docs/assets/${file}` });
      expect({ file, status: response.statusCode }).toEqual({ file, status: 404 });
    }
  });
});
