import type * as echarts from 'echarts/core';

import {
  ApiError,
  api,
  type Dashboard,
  type Panel,
  type Selections,
  type Variable,
  type VariableOption,
} from './api';
import { renderMessage, renderPanel, type PanelState } from './panels';
import { QUICK_RANGES, dayStart, formatDateTime, parseTime } from './time-range';

const ALL = '$__all';
const HOME_TITLE = '九龙坡社区教育仪表盘 · Jiulongpo community-education dashboards';

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string) => {
  const node = document.createElement(tag);
  if (className !== undefined) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

const app = document.getElementById('app') as HTMLElement;
const charts = new Set<echarts.ECharts>();
window.addEventListener('resize', () => charts.forEach((c) => c.resize()));

function header(title: string, back: boolean): HTMLElement {
  const bar = el('header', 'topbar');
  if (back) {
    const link = el('a', 'back', '← 仪表盘列表 · Dashboards');
    link.href = '/';
    bar.append(link);
  }
  bar.append(el('h1', undefined, title));
  return bar;
}

async function showList(): Promise<void> {
  document.title = HOME_TITLE;
  app.replaceChildren(header(HOME_TITLE, false));
  const list = el('ul', 'dashboard-list');
  app.append(list);
  try {
    for (const d of await api.dashboards()) {
      const item = el('li');
      const link = el('a', undefined, d.title);
      link.href = `/dashboards/${encodeURIComponent(d.uid)}`;
      item.append(link);
      if (d.description !== undefined) item.append(el('p', undefined, d.description));
      list.append(item);
    }
  } catch (error) {
    list.replaceWith(el('div', 'panel-message panel-error', String(error)));
  }
}

// ------------------------------------------------------------------------------------------- state in URL

interface ViewState {
  from: string;
  to: string;
  variables: Record<string, string[]>;
}

function readState(d: Dashboard): ViewState {
  const params = new URLSearchParams(location.search);
  const variables: Record<string, string[]> = {};
  for (const v of d.templating.list) {
    const values = params.getAll(`var-${v.name}`);
    const current = v.current?.value;
    variables[v.name] =
      values.length > 0
        ? values
        : current === undefined
          ? [ALL]
          : typeof current === 'string'
            ? [current]
            : [...current];
  }
  return { from: params.get('from') ?? d.time.from, to: params.get('to') ?? d.time.to, variables };
}

function writeState(state: ViewState): void {
  const params = new URLSearchParams();
  params.set('from', state.from);
  params.set('to', state.to);
  for (const [name, values] of Object.entries(state.variables))
    for (const v of values) params.append(`var-${name}`, v);
  history.replaceState(null, '', `${location.pathname}?${params.toString()}`);
}

// ------------------------------------------------------------------------------------------ the dashboard

interface PanelView {
  readonly panel: Panel;
  readonly root: HTMLElement;
  readonly body: HTMLElement;
  readonly info: HTMLElement;
  chart?: echarts.ECharts;
}

async function showDashboard(uid: string): Promise<void> {
  app.replaceChildren(header('…', true));
  let d: Dashboard;
  try {
    d = await api.dashboard(uid);
  } catch (error) {
    app.append(el('div', 'panel-message panel-error', String(error)));
    return;
  }
  document.title = d.title;
  const timezone = d.timezone === undefined || d.timezone === 'browser' ? 'Asia/Shanghai' : d.timezone;
  const state = readState(d);
  const top = header(d.title, true);
  const timing = el('span', 'timing');
  const controls = el('div', 'controls');
  const grid = el('main', 'grid');
  app.replaceChildren(top, controls, grid);
  if (d.description !== undefined) top.append(el('span', 'subtitle', d.description));
  top.append(timing);

  const panels: PanelView[] = flatten(d.panels).map((panel) => {
    const root = el('section', 'panel');
    root.dataset.panelId = String(panel.id);
    root.dataset.panelType = panel.type;
    root.style.gridColumn = `${panel.gridPos.x + 1} / span ${panel.gridPos.w}`;
    root.style.gridRow = `${panel.gridPos.y + 1} / span ${panel.gridPos.h}`;
    const head = el('div', 'panel-head');
    const title = el('h2', undefined, panel.title);
    if (panel.description !== undefined) title.title = panel.description;
    const info = el('span', 'panel-info');
    head.append(title, info);
    const body = el('div', 'panel-body');
    root.append(head, body);
    grid.append(root);
    return { panel, root, body, info };
  });

  const range = () => ({
    from: parseTime(state.from, Date.now(), timezone, false),
    to: parseTime(state.to, Date.now(), timezone, state.to.includes('/')),
  });

  let generation = 0;
  const refresh = async (): Promise<void> => {
    const mine = ++generation;
    writeState(state);
    const started = performance.now();
    document.body.dataset.dashboardState = 'loading';
    timing.textContent = '加载中 · Loading…';
    const { from, to } = range();
    // Every panel at once: the browser runs the queries in parallel, the server answers as the engine allows.
    await Promise.all(panels.map((view) => loadPanel(d, view, from, to, state.variables, timezone)));
    if (mine !== generation) return;
    const ms = Math.round(performance.now() - started);
    document.body.dataset.dashboardState = 'done';
    document.body.dataset.renderMs = String(ms);
    // From navigation start: page, script, dashboard JSON and every panel.
    document.body.dataset.sinceNavigationMs = String(Math.round(performance.now()));
    timing.textContent = `${formatDateTime(from, timezone)} — ${formatDateTime(to, timezone)} · 渲染 · rendered in ${ms} ms`;
  };

  controls.append(timePicker(state, timezone, refresh));
  const pickers: { name: string; reload: () => Promise<void> }[] = [];
  // A changed filter narrows the options of the filters after it (region → towns → points) before the panels.
  const variableChanged = async (name: string) => {
    const index = pickers.findIndex((p) => p.name === name);
    for (const later of pickers.slice(index + 1)) await later.reload().catch(() => undefined);
    await refresh();
  };
  for (const variable of d.templating.list) {
    if (variable.hide === 2) continue;
    const picker = variablePicker(d, variable, state, range, variableChanged);
    controls.append(picker.box);
    pickers.push({ name: variable.name, reload: picker.reload });
  }
  await refresh();
}

function flatten(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((p) => (p.type === 'row' ? [...(p.panels ?? [])] : [p]));
}

function setState(view: PanelView, state: PanelState): void {
  view.root.dataset.state = state;
}

async function loadPanel(
  d: Dashboard,
  view: PanelView,
  from: number,
  to: number,
  variables: Selections,
  timezone: string,
): Promise<void> {
  const { panel } = view;
  if (view.chart !== undefined) {
    charts.delete(view.chart);
    view.chart.dispose();
    view.chart = undefined;
  }
  if (panel.type === 'text') {
    view.body.replaceChildren(el('div', 'panel-text', panel.options?.content ?? ''));
    setState(view, 'data');
    return;
  }
  setState(view, 'loading');
  view.info.textContent = '…';
  try {
    const result = await api.query({
      dashboardUid: d.uid,
      panelId: panel.id,
      from,
      to,
      variables,
      maxDataPoints: Math.max(10, Math.round(view.body.clientWidth || 800)),
    });
    const rendered = renderPanel(view.body, panel, result, timezone, { from, to });
    if (rendered.chart !== undefined) {
      view.chart = rendered.chart;
      charts.add(rendered.chart);
    }
    view.info.textContent = `${result.rows.length} · ${result.elapsedMs} ms`;
    setState(view, rendered.state);
  } catch (error) {
    view.info.textContent = '';
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof ApiError && error.status === 501) {
      // A datasource this host does not have (Prometheus beside a ClickHouse server): say so, not an error.
      const datasource = panel.targets[0]?.datasource?.type ?? panel.datasource?.type ?? '?';
      const text = `此面板的数据来自 ${datasource},这里没有 · This panel reads ${datasource}, not available here\n${message}`;
      setState(view, renderMessage(view.body, 'unavailable', text).state);
      return;
    }
    setState(view, renderMessage(view.body, 'error', `查询失败 · Query failed\n${message}`).state);
  }
}

// ---------------------------------------------------------------------------------------- time and filters

function timePicker(state: ViewState, timezone: string, refresh: () => Promise<void>): HTMLElement {
  const box = el('div', 'picker time-picker');
  box.append(el('label', undefined, '时间范围 · Time range'));
  const select = el('select');
  select.name = 'time-range';
  const ranges = [...QUICK_RANGES];
  if (!ranges.some((r) => r.from === state.from && r.to === state.to)) {
    const label = /^\d+$/.test(state.from)
      ? `${formatDateTime(Number(state.from), timezone, false)} — ${formatDateTime(Number(state.to), timezone, false)}`
      : `${state.from} — ${state.to}`;
    ranges.push({ from: state.from, to: state.to, label });
  }
  for (const r of ranges) {
    const option = el('option', undefined, r.label);
    option.value = `${r.from}|${r.to}`;
    option.selected = r.from === state.from && r.to === state.to;
    select.append(option);
  }
  select.addEventListener('change', () => {
    [state.from, state.to] = select.value.split('|');
    void refresh();
  });
  const fromDay = el('input');
  fromDay.type = 'date';
  fromDay.title = '从 · From';
  const toDay = el('input');
  toDay.type = 'date';
  toDay.title = '到 · To';
  const apply = el('button', undefined, '应用 · Apply');
  apply.type = 'button';
  apply.addEventListener('click', () => {
    if (fromDay.value === '' || toDay.value === '') return;
    state.from = String(dayStart(fromDay.value, timezone));
    state.to = String(dayStart(toDay.value, timezone) + 86_400_000 - 1);
    void refresh();
  });
  box.append(select, fromDay, toDay, apply);
  return box;
}

/** A multi-select with 全部 · All, options fetched from the server (query variables run their SQL there). */
function variablePicker(
  d: Dashboard,
  variable: Variable,
  state: ViewState,
  range: () => { from: number; to: number },
  changedTo: (name: string) => Promise<void>,
): { box: HTMLElement; reload: () => Promise<void> } {
  const box = el('div', 'picker variable');
  box.dataset.variable = variable.name;
  box.append(el('label', undefined, variable.label ?? variable.name));
  const button = el('button', 'variable-button');
  button.type = 'button';
  const menu = el('div', 'variable-menu');
  menu.hidden = true;
  box.append(button, menu);
  let options: VariableOption[] = [];

  const selected = () => state.variables[variable.name] ?? [ALL];
  const label = () => {
    const values = selected();
    if (values.includes(ALL)) return '全部 · All';
    return values.map((v) => options.find((o) => o.value === v)?.text ?? v).join(', ');
  };
  button.textContent = label();

  const draw = () => {
    menu.replaceChildren();
    const entries: VariableOption[] = [
      ...(variable.includeAll === false ? [] : [{ text: '全部 · All', value: ALL }]),
      ...options,
    ];
    for (const option of entries) {
      const row = el('label', 'variable-option');
      const check = el('input');
      check.type = variable.multi === false ? 'radio' : 'checkbox';
      check.name = `var-${variable.name}`;
      check.checked = selected().includes(option.value);
      check.addEventListener('change', () => {
        let values = selected().filter((v) => v !== ALL);
        if (option.value === ALL || variable.multi === false) values = check.checked ? [option.value] : [];
        else values = check.checked ? [...values, option.value] : values.filter((v) => v !== option.value);
        state.variables[variable.name] = values.length === 0 ? [ALL] : values;
        button.textContent = label();
        draw();
        changed = true;
      });
      row.append(check, document.createTextNode(option.text));
      menu.append(row);
    }
  };

  let changed = false;
  const load = async () => {
    const { from, to } = range();
    options = (
      await api.variableOptions({
        dashboardUid: d.uid,
        name: variable.name,
        from,
        to,
        variables: state.variables,
      })
    ).options;
    // Values no longer offered (another filter narrowed the list) are dropped, as Grafana does.
    const kept = selected().filter((v) => v === ALL || options.some((o) => o.value === v));
    state.variables[variable.name] = kept.length === 0 ? [ALL] : kept;
    button.textContent = label();
  };
  void load().catch((error: unknown) => (button.textContent = `${label()} (${String(error)})`));

  button.addEventListener('click', async () => {
    if (!menu.hidden) return close();
    await load().catch(() => undefined);
    draw();
    menu.hidden = false;
  });
  const close = () => {
    menu.hidden = true;
    if (changed) {
      changed = false;
      void changedTo(variable.name);
    }
  };
  document.addEventListener('click', (event) => {
    if (!menu.hidden && !box.contains(event.target as Node)) close();
  });
  return { box, reload: load };
}

// ------------------------------------------------------------------------------------------------ router

const match = /^\/dashboards\/([^/]+)\/?$/.exec(location.pathname);
void (match === null ? showList() : showDashboard(decodeURIComponent(match[1])));
