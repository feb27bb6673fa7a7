import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

import { DashboardNotFoundError, PanelNotFoundError } from './viewer.errors';

/** dashboards/generated: the dashboards Grafana provisions, and the only definition the viewer reads. */
export const DEFAULT_GENERATED_DIR = path.resolve(__dirname, '../../../dashboards/generated');

const datasourceSchema = z.looseObject({ type: z.string().optional(), uid: z.string().optional() });

const targetSchema = z.looseObject({
  refId: z.string().optional(),
  datasource: datasourceSchema.optional(),
  rawSql: z.string().optional(),
  expr: z.string().optional(),
  format: z.number().optional(),
});

const gridPosSchema = z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() });

export const panelSchema = z.looseObject({
  id: z.number().int(),
  type: z.string(),
  title: z.string().default(''),
  description: z.string().optional(),
  gridPos: gridPosSchema,
  datasource: datasourceSchema.optional(),
  targets: z.array(targetSchema).default([]),
  fieldConfig: z.looseObject({}).optional(),
  options: z.looseObject({}).optional(),
});
export type DashboardPanel = z.infer<typeof panelSchema>;

const variableOptionSchema = z.looseObject({
  text: z.union([z.string(), z.array(z.string())]).optional(),
  value: z.union([z.string(), z.array(z.string())]).optional(),
});

export const variableSchema = z.looseObject({
  name: z.string().min(1),
  type: z.string(),
  label: z.string().optional(),
  description: z.string().optional(),
  query: z.union([z.string(), z.looseObject({ rawSql: z.string().optional() })]).optional(),
  datasource: datasourceSchema.optional(),
  multi: z.boolean().optional(),
  includeAll: z.boolean().optional(),
  allValue: z.string().optional(),
  current: variableOptionSchema.optional(),
  hide: z.number().optional(),
});
export type DashboardVariable = z.infer<typeof variableSchema>;

const rowSchema = z.looseObject({ type: z.literal('row'), panels: z.array(panelSchema).default([]) });

export const dashboardSchema = z.looseObject({
  uid: z.string().min(1),
  title: z.string(),
  description: z.string().optional(),
  tags: z.array(z.string()).default([]),
  timezone: z.string().optional(),
  time: z.object({ from: z.string(), to: z.string() }).default({ from: 'now-6h', to: 'now' }),
  templating: z.looseObject({ list: z.array(variableSchema).default([]) }).default({ list: [] }),
  panels: z.array(z.union([rowSchema, panelSchema])).default([]),
});
export type DashboardJson = z.infer<typeof dashboardSchema>;

export interface DashboardSummary {
  readonly uid: string;
  readonly name: string;
  readonly title: string;
  readonly description?: string;
  readonly tags: readonly string[];
}

interface Loaded {
  readonly name: string;
  readonly mtimeMs: number;
  readonly json: DashboardJson;
}

/**
 * The generated dashboard files, re-read when they change on disk (`npm run dashboards` while the
 * process runs shows up at the next request). Nothing here knows any panel's SQL.
 */
export class DashboardCatalog {
  private readonly cache = new Map<string, Loaded>();

  constructor(readonly directory: string = DEFAULT_GENERATED_DIR) {}

  list(): DashboardSummary[] {
    return this.loadAll().map(({ name, json }) => ({
      uid: json.uid,
      name,
      title: json.title,
      ...(json.description !== undefined && { description: json.description }),
      tags: json.tags,
    }));
  }

  get(uid: string): DashboardJson {
    const found = this.loadAll().find((d) => d.json.uid === uid);
    if (found === undefined) throw new DashboardNotFoundError(uid);
    return found.json;
  }

  panel(uid: string, panelId: number): DashboardPanel {
    const panel = allPanels(this.get(uid)).find((p) => p.id === panelId);
    if (panel === undefined) throw new PanelNotFoundError(uid, panelId);
    return panel;
  }

  private loadAll(): Loaded[] {
    const files = readdirSync(this.directory)
      .filter((f) => f.endsWith('.json'))
      .sort();
    return files.map((file) => {
      const full = path.join(this.directory, file);
      const mtimeMs = statSync(full).mtimeMs;
      const cached = this.cache.get(full);
      if (cached !== undefined && cached.mtimeMs === mtimeMs) return cached;
      const json = dashboardSchema.parse(JSON.parse(readFileSync(full, 'utf8')));
      const loaded = { name: file.replace(/\.json$/, ''), mtimeMs, json };
      this.cache.set(full, loaded);
      return loaded;
    });
  }
}

/** Panels, including those nested in rows. */
export function allPanels(d: DashboardJson): DashboardPanel[] {
  return d.panels.flatMap((p) =>
    p.type === 'row' && 'panels' in p ? (p.panels as DashboardPanel[]) : [p as DashboardPanel],
  );
}
