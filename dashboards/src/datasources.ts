import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as common from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder as PrometheusQueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';

/** Provisioned in provisioning/datasources/clickhouse.yaml with these uids. */
export const CLICKHOUSE: common.DataSourceRef = { type: 'grafana-clickhouse-datasource', uid: 'clickhouse' };
export const PROMETHEUS: common.DataSourceRef = { type: 'prometheus', uid: 'prometheus' };

/** The ClickHouse plugin's result formats (its `Format` enum). */
export const ClickHouseFormat = { timeSeries: 0, table: 1 } as const;

/** A query of the ClickHouse plugin's SQL editor (CHSqlQuery, src/types/sql.ts: QueryType 'table' | 'timeSeries'). */
export interface ClickHouseQuery extends cog.Dataquery {
  refId: string;
  datasource: common.DataSourceRef;
  editorType: 'sql';
  queryType: 'table' | 'timeSeries';
  format: 0 | 1;
  rawSql: string;
}

/** The foundation SDK has no ClickHouse query type; this builder fills the plugin's query model. */
export class ClickHouseQueryBuilder implements cog.Builder<cog.Dataquery> {
  private kind: 'table' | 'timeSeries' = 'table';
  private ref = 'A';

  constructor(private readonly sql: string) {}

  timeSeries(): this {
    this.kind = 'timeSeries';
    return this;
  }

  refId(refId: string): this {
    this.ref = refId;
    return this;
  }

  build(): ClickHouseQuery {
    return {
      refId: this.ref,
      datasource: CLICKHOUSE,
      editorType: 'sql',
      queryType: this.kind,
      format: this.kind === 'timeSeries' ? ClickHouseFormat.timeSeries : ClickHouseFormat.table,
      rawSql: this.sql,
      _implementsDataqueryVariant: () => undefined,
    };
  }
}

export function clickhouse(sql: string): ClickHouseQueryBuilder {
  return new ClickHouseQueryBuilder(sql.trim());
}

export function prometheus(expr: string, legend: string, refId = 'A'): PrometheusQueryBuilder {
  return new PrometheusQueryBuilder()
    .datasource(PROMETHEUS)
    .expr(expr)
    .legendFormat(legend)
    .range()
    .refId(refId);
}
