import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';

/** libs/viewer/web: the browser code (TypeScript) and its stylesheet. */
export const WEB_DIR = path.resolve(__dirname, '../web');

export interface ViewerAssets {
  readonly script: string;
  readonly styles: string;
  readonly builtInMs: number;
}

/**
 * Bundles the browser code with esbuild, ECharts included from node_modules (no CDN: the college's
 * intranet may be offline). Done once, in memory, when the viewer starts.
 */
export async function buildViewerAssets(webDir: string = WEB_DIR): Promise<ViewerAssets> {
  const started = performance.now();
  const result = await build({
    entryPoints: [path.join(webDir, 'main.ts')],
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const script = result.outputFiles[0]?.text;
  if (script === undefined) throw new Error('esbuild produced no output for the viewer');
  const styles = readFileSync(path.join(webDir, 'viewer.css'), 'utf8');
  return { script, styles, builtInMs: Math.round(performance.now() - started) };
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** The page shell: the script reads the path and draws the list or a dashboard. */
export function viewerPage(title: string, assetVersion: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/viewer/assets/viewer.css?v=${assetVersion}">
</head>
<body>
<div id="app"></div>
<script src="/viewer/assets/viewer.js?v=${assetVersion}"></script>
</body>
</html>
`;
}
