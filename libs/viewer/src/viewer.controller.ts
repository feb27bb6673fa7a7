import { createHash } from 'node:crypto';
import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  HttpException,
  Inject,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { z } from 'zod';

import { DashboardCatalog, type DashboardJson, type DashboardSummary } from './dashboard-catalog';
import { PanelQueryService, type PanelQueryResult, type VariableOption } from './panel-query.service';
import { ViewerAuthGuard } from './viewer-auth';
import { viewerPage, type ViewerAssets } from './viewer-assets';
import { ViewerError } from './viewer.errors';

export const VIEWER_ASSETS = Symbol('VIEWER_ASSETS');

const variablesSchema = z.record(z.string(), z.array(z.string().max(500)).max(1000)).default({});
const rangeShape = {
  dashboardUid: z.string().min(1).max(200),
  from: z.number().int(),
  to: z.number().int(),
  variables: variablesSchema,
};
export const panelQueryBodySchema = z.strictObject({
  ...rangeShape,
  panelId: z.number().int(),
  maxDataPoints: z.number().int().min(10).max(10_000).optional(),
});
export const variableOptionsBodySchema = z.strictObject({ ...rangeShape, name: z.string().min(1).max(200) });

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new HttpException({ error: 'bad-request', message: z.prettifyError(parsed.error) }, 400);
  }
  return parsed.data;
}

async function answer<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ViewerError) {
      throw new HttpException({ error: error.name, message: error.message }, error.status);
    }
    throw error;
  }
}

/**
 * The dashboards in the browser: the page (`/`, `/dashboards/:uid`), its script and stylesheet, the
 * dashboard JSON as generated, and the read-only panel and variable queries. Every route needs a
 * credential that may read dashboards.
 */
@Controller()
@UseGuards(ViewerAuthGuard)
export class ViewerController {
  private readonly version: string;

  constructor(
    private readonly catalog: DashboardCatalog,
    private readonly queries: PanelQueryService,
    @Inject(VIEWER_ASSETS) private readonly assets: ViewerAssets,
  ) {
    this.version = createHash('sha256')
      .update(assets.script)
      .update(assets.styles)
      .digest('hex')
      .slice(0, 12);
  }

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  listPage(): string {
    return viewerPage('九龙坡社区教育仪表盘 · Jiulongpo dashboards', this.version);
  }

  @Get('dashboards/:uid')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  dashboardPage(@Param('uid') uid: string): Promise<string> {
    return answer(() => viewerPage(this.catalog.get(uid).title, this.version));
  }

  @Get('viewer/assets/viewer.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'private, max-age=86400')
  script(): string {
    return this.assets.script;
  }

  @Get('viewer/assets/viewer.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'private, max-age=86400')
  styles(): string {
    return this.assets.styles;
  }

  @Get('api/dashboards')
  list(): Promise<DashboardSummary[]> {
    return answer(() => this.catalog.list());
  }

  @Get('api/dashboards/:uid')
  dashboard(@Param('uid') uid: string): Promise<DashboardJson> {
    return answer(() => this.catalog.get(uid));
  }

  @Post('api/panels/query')
  @HttpCode(200)
  query(@Body() body: unknown): Promise<PanelQueryResult> {
    const request = parseBody(panelQueryBodySchema, body);
    return answer(() => this.queries.queryPanel(request));
  }

  @Post('api/variables/options')
  @HttpCode(200)
  async variableOptions(@Body() body: unknown): Promise<{ options: VariableOption[] }> {
    const request = parseBody(variableOptionsBodySchema, body);
    return { options: await answer(() => this.queries.variableOptions(request)) };
  }
}
