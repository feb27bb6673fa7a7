import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { parse } from 'yaml';

import { DASHBOARDS, buildDashboardJson } from './dashboards';
import { DASHBOARDS_ROOT, PROVISIONED_DATASOURCES, renderAll } from './generate';
import { clickhousePanelQueries, customVariableValues } from './panel-queries';
import { allPanels, validateDashboard } from './validate';

const names = Object.keys(DASHBOARDS);
const clone = (d: dashboard.Dashboard): dashboard.Dashboard =>
  JSON.parse(JSON.stringify(d)) as dashboard.Dashboard;

describe('generated dashboards', () => {
  it('are the four the issue asks for', () => {
    expect(names.map((n) => buildDashboardJson(n).title)).toEqual([
      '数字化学习技能 · Digital-learning skill',
      '发展平衡 · Development balance',
      '总览 · Overview',
      '运行状态 · Pipeline health',
    ]);
  });

  it.each(names)('%s passes the structural checks', (name) => {
    expect(validateDashboard(buildDashboardJson(name), PROVISIONED_DATASOURCES)).toEqual([]);
  });

  it('have unique uids', () => {
    const uids = names.map((n) => buildDashboardJson(n).uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('are committed as generated (run `npm run dashboards` after a change)', () => {
    for (const [relative, content] of Object.entries(renderAll())) {
      expect({ file: relative, content: readFileSync(path.join(DASHBOARDS_ROOT, relative), 'utf8') }).toEqual(
        {
          file: relative,
          content,
        },
      );
    }
  });

  it('provision the datasources the panels refer to, with the read-only user from the environment', () => {
    const files = renderAll();
    const provisioned = [
      'provisioning/datasources/clickhouse.yaml',
      'provisioning/datasources/prometheus.yaml',
    ].flatMap(
      (f) =>
        (
          parse(files[f]) as {
            datasources: { uid: string; type: string; jsonData?: { username?: string } }[];
          }
        ).datasources,
    );
    expect(provisioned.map(({ uid, type }) => ({ uid, type }))).toEqual(
      PROVISIONED_DATASOURCES.map(({ uid, type }) => ({ uid, type })),
    );
    expect(provisioned[0].jsonData?.username).toBe('$CLICKHOUSE_READONLY_USER');
    const provider = parse(files['provisioning/dashboards/jiulongpo.yaml']) as {
      providers: { type: string }[];
    };
    expect(provider.providers[0].type).toBe('file');
  });

  it('read the aggregates, never the raw statements table', () => {
    const queries = names.flatMap((n) => clickhousePanelQueries(buildDashboardJson(n)));
    expect(queries.length).toBeGreaterThan(20);
    const raw = queries.filter((q) => /\bFROM\s+statements\b/.test(q.rawSql)).map((q) => q.title);
    expect(raw).toEqual([]);
  });
});

describe('validateDashboard catches', () => {
  const good = buildDashboardJson('overview');

  it('overlapping panels', () => {
    const d = clone(good);
    const [a, b] = d.panels as dashboard.Panel[];
    b.gridPos = { ...a.gridPos!, x: a.gridPos!.x + 1 };
    expect(validateDashboard(d, PROVISIONED_DATASOURCES).join('\n')).toMatch(/overlaps panel/);
  });

  it('panels outside the 24-column grid and repeated ids', () => {
    const d = clone(good);
    const [a, b] = d.panels as dashboard.Panel[];
    a.gridPos = { x: 20, y: 0, w: 8, h: 4 };
    b.id = a.id;
    const problems = validateDashboard(d, PROVISIONED_DATASOURCES).join('\n');
    expect(problems).toMatch(/out of the 24-column grid/);
    expect(problems).toMatch(/id missing or not unique/);
  });

  it('a query using an undefined variable', () => {
    const d = clone(good);
    const target = (allPanels(d)[0].targets as unknown as { rawSql: string }[])[0];
    target.rawSql += ' AND x IN (${gender:singlequote})';
    expect(validateDashboard(d, PROVISIONED_DATASOURCES).join('\n')).toMatch(/uses \$gender/);
  });

  it('a datasource that is not provisioned, an old schema, a missing description', () => {
    const d = clone(good);
    d.schemaVersion = 36;
    allPanels(d)[0].datasource = { type: 'grafana-clickhouse-datasource', uid: 'other' };
    allPanels(d)[1].description = '';
    const problems = validateDashboard(d, PROVISIONED_DATASOURCES).join('\n');
    expect(problems).toMatch(/schemaVersion 36/);
    expect(problems).toMatch(/not provisioned/);
    expect(problems).toMatch(/one-line description/);
  });

  it('a time-series panel whose ClickHouse query returns a table', () => {
    const d = clone(good);
    const series = allPanels(d).find((p) => p.type === 'timeseries')!;
    (series.targets as unknown as { format: number }[])[0].format = 1;
    expect(validateDashboard(d, PROVISIONED_DATASOURCES).join('\n')).toMatch(/format\/queryType/);
  });
});

describe('customVariableValues', () => {
  it('reads `text : value` pairs and plain values', () => {
    expect(customVariableValues('东部 · East : east,西部 · West : west')).toEqual(['east', 'west']);
    expect(customVariableValues('portal,app')).toEqual(['portal', 'app']);
  });
});
