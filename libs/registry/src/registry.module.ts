import {
  Inject,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { LearnerRegistry } from './learner-registry';
import { REGISTRY_AUTH, RegistryAuthGuard, type RegistryAuth } from './registry-auth';
import { RegistryController, RegistryExceptionFilter } from './registry.controller';

export interface RegistryModuleOptions {
  readonly registry: LearnerRegistry;
  /**
   * The host's credential check: a RegistryAuth value, or the token of a provider that implements it
   * (from `imports`, or a global module), e.g. the gateway's Basic-credential check.
   */
  readonly auth: RegistryAuth | { readonly useExisting: InjectionToken };
  readonly imports?: ModuleMetadata['imports'];
  /** Largest CSV import accepted, in bytes (default 20 MiB, ~200,000 learners). */
  readonly csvBodyLimitBytes?: number;
}

const CSV_BODY_LIMIT = Symbol('REGISTRY_CSV_BODY_LIMIT');

interface FastifyLike {
  hasContentTypeParser(type: string): boolean;
  addContentTypeParser(
    type: string,
    options: { parseAs: 'string'; bodyLimit: number },
    parser: (request: unknown, body: string, done: (error: Error | null, body?: unknown) => void) => void,
  ): void;
}

/**
 * Mounts the learner registry API (`/registry/learners`) in a host's HTTP application: the gateway in
 * distributed mode, the single process in embedded mode. The enricher only reads the registry.
 */
@Module({})
export class RegistryModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CSV_BODY_LIMIT) private readonly csvBodyLimit: number,
  ) {}

  static forRoot(options: RegistryModuleOptions): DynamicModule {
    const auth: Provider =
      'useExisting' in options.auth
        ? { provide: REGISTRY_AUTH, useExisting: options.auth.useExisting }
        : { provide: REGISTRY_AUTH, useValue: options.auth };
    return {
      module: RegistryModule,
      imports: options.imports ?? [],
      controllers: [RegistryController],
      providers: [
        { provide: LearnerRegistry, useValue: options.registry },
        { provide: CSV_BODY_LIMIT, useValue: options.csvBodyLimitBytes ?? 20 * 1024 * 1024 },
        auth,
        RegistryAuthGuard,
        RegistryExceptionFilter,
      ],
      exports: [LearnerRegistry],
    };
  }

  /** Fastify parses only JSON and text/plain by default; the import takes `text/csv`. */
  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter === undefined || adapter.getType() !== 'fastify') return;
    const fastify = adapter.getInstance<FastifyLike>();
    if (fastify.hasContentTypeParser('text/csv')) return;
    fastify.addContentTypeParser(
      'text/csv',
      { parseAs: 'string', bodyLimit: this.csvBodyLimit },
      (_request, body, done) => done(null, body),
    );
  }
}
