import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Files of swagger-ui-dist a docs page uses, with their types; nothing else of node_modules is reachable. */
const SWAGGER_UI_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

export interface DocsAsset {
  readonly type: string;
  readonly content: string | Buffer;
}

/**
 * A Swagger UI page for one OpenAPI document, served from the installed swagger-ui-dist (no CDN: the machine
 * and the college's intranet may be offline). The initializer is a file of its own, not an inline script, so
 * the page works under a strict Content-Security-Policy. Used by the gateway's /docs and /research/docs.
 */
export class SwaggerUiPage {
  readonly html: string;
  private readonly initFile: string;
  private readonly initScript: string;
  private readonly cache = new Map<string, Buffer>();

  constructor(options: { title: string; documentUrl: string; assetsPath: string; initFile: string }) {
    const assets = options.assetsPath;
    this.initFile = options.initFile;
    this.initScript = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '${options.documentUrl}',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;
    this.html = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${options.title}</title>
  <link rel="stylesheet" href="${assets}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${assets}/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${assets}/swagger-ui-bundle.js"></script>
  <script src="${assets}/swagger-ui-standalone-preset.js"></script>
  <script src="${assets}/${options.initFile}"></script>
</body>
</html>
`;
  }

  /** One asset of the page by file name, or undefined for any other name (the caller answers 404). */
  async asset(file: string): Promise<DocsAsset | undefined> {
    if (file === this.initFile)
      return { type: 'application/javascript; charset=utf-8', content: this.initScript };
    const type = Object.hasOwn(SWAGGER_UI_FILES, file) ? SWAGGER_UI_FILES[file] : undefined;
    if (type === undefined) return undefined;
    let content = this.cache.get(file);
    if (content === undefined) {
      content = await readFile(join(dirname(require.resolve('swagger-ui-dist/package.json')), file));
      this.cache.set(file, content);
    }
    return { type, content };
  }
}
