import {
  Controller,
  Get,
  Inject,
  Module,
  NotFoundException,
  Param,
  Res,
  type DynamicModule,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SwaggerUiPage } from '@app/observability';
import { buildOpenApiDocument, DOCS_PATH, OPENAPI_JSON_PATH, type OpenApiDocumentOptions } from './openapi';

const OPENAPI_OPTIONS = Symbol('OPENAPI_OPTIONS');

const ASSETS = `${DOCS_PATH}/assets`;
const DOCS_PAGE = new SwaggerUiPage({
  title: 'Learning records gateway – API',
  documentUrl: OPENAPI_JSON_PATH,
  assetsPath: ASSETS,
  initFile: 'docs-init.js',
});

/** GET /xapi/openapi.json, GET /docs (Swagger UI, served from the installed swagger-ui-dist; no CDN). */
@Controller()
export class OpenApiController {
  private document: string | undefined;

  constructor(@Inject(OPENAPI_OPTIONS) private readonly options: OpenApiDocumentOptions) {}

  @Get(OPENAPI_JSON_PATH.slice(1))
  async openApi(@Res() reply: FastifyReply): Promise<void> {
    this.document ??= JSON.stringify(buildOpenApiDocument(this.options));
    await reply.header('Content-Type', 'application/json; charset=utf-8').send(this.document);
  }

  @Get(DOCS_PATH.slice(1))
  async page(@Res() reply: FastifyReply): Promise<void> {
    await reply.header('Content-Type', 'text/html; charset=utf-8').send(DOCS_PAGE.html);
  }

  @Get(`${ASSETS.slice(1)}/:file`)
  async asset(@Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    const asset = await DOCS_PAGE.asset(file);
    if (asset === undefined) throw new NotFoundException(`no documentation asset ${file}`);
    await reply
      .header('Content-Type', asset.type)
      .header('Cache-Control', 'public, max-age=3600')
      .send(asset.content);
  }
}

/** Mounts the OpenAPI document and the /docs page in a host's Fastify application (gateway, embedded app). */
@Module({})
export class OpenApiModule {
  static forRoot(options: OpenApiDocumentOptions = {}): DynamicModule {
    return {
      module: OpenApiModule,
      controllers: [OpenApiController],
      providers: [{ provide: OPENAPI_OPTIONS, useValue: options }],
    };
  }
}
