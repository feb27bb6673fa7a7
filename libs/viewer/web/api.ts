/** The viewer's HTTP API (same origin; the browser sends the Basic credential it was given for the page). */

export interface DashboardSummary {
  readonly uid: string;
  readonly name: string;
  readonly title: string;
  readonly description?: string;
  readonly tags: readonly string[];
}

export interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface FieldOverride {
  readonly matcher: { readonly id: string; readonly options?: unknown };
  readonly properties: readonly { readonly id: string; readonly value?: unknown }[];
}

export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly gridPos: GridPos;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly targets: readonly { readonly datasource?: { readonly type?: string }; readonly rawSql?: string }[];
  readonly fieldConfig?: {
    readonly defaults?: {
      readonly unit?: string;
      readonly decimals?: number;
      readonly custom?: { readonly stacking?: { readonly mode?: string } };
    };
    readonly overrides?: readonly FieldOverride[];
  };
  readonly options?: {
    readonly orientation?: string;
    readonly stacking?: string;
    readonly xTickLabelRotation?: number;
    readonly content?: string;
  };
  readonly panels?: readonly Panel[];
}

export interface Variable {
  readonly name: string;
  readonly type: string;
  readonly label?: string;
  readonly description?: string;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly hide?: number;
  readonly current?: { readonly value?: string | readonly string[] };
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly description?: string;
  readonly timezone?: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly templating: { readonly list: readonly Variable[] };
  readonly panels: readonly Panel[];
}

export interface Column {
  readonly name: string;
  readonly type: string;
}

export interface QueryResult {
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly unknown[])[];
  readonly intervalSeconds: number;
  readonly elapsedMs: number;
}

export interface VariableOption {
  readonly text: string;
  readonly value: string;
}

export type Selections = Readonly<Record<string, readonly string[]>>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      const parsed = JSON.parse(text) as { message?: unknown };
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      // not JSON: show the text as it came
    }
    throw new ApiError(response.status, `${response.status}: ${message}`);
  }
  return JSON.parse(text) as T;
}

export const api = {
  dashboards: () => request<DashboardSummary[]>('/api/dashboards'),
  dashboard: (uid: string) => request<Dashboard>(`/api/dashboards/${encodeURIComponent(uid)}`),
  query: (body: {
    dashboardUid: string;
    panelId: number;
    from: number;
    to: number;
    variables: Selections;
    maxDataPoints: number;
  }) => request<QueryResult>('/api/panels/query', body),
  variableOptions: (body: {
    dashboardUid: string;
    name: string;
    from: number;
    to: number;
    variables: Selections;
  }) => request<{ options: VariableOption[] }>('/api/variables/options', body),
};
