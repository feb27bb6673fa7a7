import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ObservabilityModule, PipelineMetrics } from '@app/observability';
import { ReferenceIndex } from '@app/reference';
import { CredentialStore, hashSecret, type CredentialEntry } from '../credentials';
import { LrsModule } from '../lrs.module';
import type { LrsModuleOptions } from '../lrs.options';
import { InMemoryStatementLookup } from '../statement-lookup';
import { RecordingProducer } from './recording-producer';

/** Cheap scrypt parameters: tests hash a few secrets and must stay fast. */
export const TEST_SCRYPT = { N: 1024, r: 8, p: 1 } as const;

export interface TestCredential extends Omit<CredentialEntry, 'secretHash'> {
  readonly secret: string;
}

export const TEST_CREDENTIALS: readonly TestCredential[] = [
  { key: 'portal', secret: 'portal-secret', source: 'portal', scopes: ['statements/write'] },
  { key: 'reader', secret: 'reader-secret', source: 'partner', scopes: ['statements/read'] },
  {
    key: 'kiosk-lp001',
    secret: 'kiosk-secret',
    source: 'kiosk',
    scopes: ['statements/write'],
    boundLearningPointId: 'LP001',
  },
  { key: 'teacher', secret: 'teacher-secret', source: 'classroom', scopes: ['all'] },
];

export function basic(key: string, secret: string): string {
  return `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
}

export interface LrsTestApp {
  readonly app: NestFastifyApplication;
  readonly producer: RecordingProducer;
  readonly lookup: InMemoryStatementLookup;
  readonly metrics: PipelineMetrics;
  close(): Promise<void>;
}

let referencePromise: Promise<ReferenceIndex> | undefined;
export function testReference(): Promise<ReferenceIndex> {
  referencePromise ??= ReferenceIndex.load();
  return referencePromise;
}

/** The LRS module in a Fastify Nest app, with the recording producer and an in-memory lookup. */
export async function startLrsTestApp(
  overrides: Partial<LrsModuleOptions> & { bodyLimitBytes?: number } = {},
): Promise<LrsTestApp> {
  const reference = await testReference();
  const credentials = new CredentialStore({ reference });
  credentials.addAll({
    credentials: await Promise.all(
      TEST_CREDENTIALS.map(async ({ secret, ...entry }) => ({
        ...entry,
        secretHash: await hashSecret(secret, TEST_SCRYPT),
      })),
    ),
  });
  const producer = new RecordingProducer();
  const lookup = new InMemoryStatementLookup();
  const metrics = new PipelineMetrics({ defaultMetrics: false });
  const bodyLimit = overrides.bodyLimitBytes ?? 10 * 1024 * 1024;
  const moduleRef = await Test.createTestingModule({
    imports: [
      ObservabilityModule.forRoot({ service: 'lrs-test', metrics }),
      LrsModule.forRoot({
        producer,
        lookup,
        credentials,
        reference,
        ...overrides,
        bodyLimitBytes: bodyLimit,
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ bodyLimit }), {
    logger: false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, producer, lookup, metrics, close: () => app.close() };
}
