import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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
import { buildOpenApiDocument, DOCS_PATH, OPENAPI_JSON_PATH, type OpenApiDocumentOptions } from './openapi';

const OPENAPI_OPTIONS = Symbol('OPENAPI_OPTIONS');

/** Files of swagger-ui-dist the page uses, with their types; nothing else of node_modules is reachable. */
const SWAGGER_UI_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/** Our own initializer (no inline script, so the page works under a strict Content-Security-Policy). */
const INIT_FILE = 'docs-init.js';
const INIT_SCRIPT = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '${OPENAPI_JSON_PATH}',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

const ASSETS = `${DOCS_PATH}/assets`;
const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Learning records gateway – API</title>
  <link rel="stylesheet" href="${ASSETS}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${ASSETS}/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${ASSETS}/swagger-ui-bundle.js"></script>
  <script src="${ASSETS}/swagger-ui-standalone-preset.js"></script>
  <script src="${ASSETS}/${INIT_FILE}"></script>
</body>
</html>
`;

function swaggerUiDir(): string {
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}

/** GET /xapi/openapi.json, GET /docs (Swagger UI, served from the installed swagger-ui-dist; no CDN). */
@Controller()
export class OpenApiController {
  private document: string | undefined;
  private readonly assets = new Map<string, Buffer>();

  constructor(@Inject(OPENAPI_OPTIONS) private readonly options: OpenApiDocumentOptions) {}

  @Get(OPENAPI_JSON_PATH.slice(1))
  async openApi(@Res() reply: FastifyReply): Promise<void> {
    this.document ??= JSON.stringify(buildOpenApiDocument(this.options));
    await reply.header('Content-Type', 'application/json; charset=utf-8').send(this.document);
  }

  @Get(DOCS_PATH.slice(1))
  async page(@Res() reply: FastifyReply): Promise<void> {
    await reply.header('Content-Type', 'text/html; charset=utf-8').send(DOCS_PAGE);
  }

  @Get(`${ASSETS.slice(1)}/:file`)
  async asset(@Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    if (file === INIT_FILE) {
      await reply.header('Content-Type', 'application/javascript; charset=utf-8').send(INIT_SCRIPT);
      return;
    }
    const type = Object.hasOwn(SWAGGER_UI_FILES, file) ? SWAGGER_UI_FILES[file] : undefined;
    if (type === undefined) throw new NotFoundException(`no documentation asset ${file}`);
    let content = this.assets.get(file);
    if (content === undefined) {
      content = await readFile(join(swaggerUiDir(), file));
      this.assets.set(file, content);
    }
    await reply.header('Content-Type', type).header('Cache-Control', 'public, max-age=3600').send(content);
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
