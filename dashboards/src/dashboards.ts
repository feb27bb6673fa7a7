import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

import { balanceDashboard } from './balance.dashboard';
import { overviewDashboard } from './overview.dashboard';
import { pipelineHealthDashboard } from './pipeline-health.dashboard';
import { skillDashboard } from './skill.dashboard';

/** Every dashboard, by the file name it is generated to (dashboards/generated/<name>.json). */
export const DASHBOARDS: Readonly<Record<string, () => dashboard.DashboardBuilder>> = {
  skill: skillDashboard,
  balance: balanceDashboard,
  overview: overviewDashboard,
  'pipeline-health': pipelineHealthDashboard,
};

/** A dashboard as JSON (what Grafana provisions): the SDK's model without its builder-only members. */
export type DashboardJson = ReturnType<typeof buildDashboardJson>;

export function buildDashboardJson(name: string) {
  const factory = DASHBOARDS[name];
  if (factory === undefined) throw new Error(`unknown dashboard ${JSON.stringify(name)}`);
  const json = JSON.parse(JSON.stringify(factory().build())) as dashboard.Dashboard;
  for (const variable of json.templating.list ?? []) withoutIntervalDefaults(variable);
  return json;
}

/**
 * The SDK (0.0.21) gives every variable the interval variable's `auto`, `auto_min` and `auto_count`
 * defaults; Grafana's current dashboard schema (@grafana/schema 13) has no such members on other variables.
 */
function withoutIntervalDefaults(variable: dashboard.VariableModel): void {
  if (variable.type === 'interval') return;
  const loose = variable as unknown as Record<string, unknown>;
  delete loose.auto;
  delete loose.auto_min;
  delete loose.auto_count;
}

export function renderDashboard(name: string): string {
  return `${JSON.stringify(buildDashboardJson(name), null, 2)}\n`;
}
