/**
 * Part 5 of `npm run bench`: the xAPI read side against the embedded server, after the ingest part filled
 * its store. GET by statementId, and filtered queries (by verb, by agent; limit 50) following `more`, one
 * request at a time; p50/p95 per run. While the route is not there (404 "Cannot GET" or 405) the part
 * reports "not available" rather than a number.
 */
import { randomUUID } from 'node:crypto';
import { figure, percentile, type Figure } from './figures';
import { bodyOf } from './open-loop';
import type { RunningServer } from './server-process';

export interface ReadSideOptions {
  readonly server: RunningServer;
  readonly tails: readonly string[];
  readonly runs: number;
  /** GET-by-id requests per run. */
  readonly byIdRequests: number;
  /** Filtered queries per run (each follows up to `pages` pages). */
  readonly queries: number;
  readonly pages: number;
}

export type ReadSideOutcome =
  | { readonly available: true; readonly figures: Figure[]; readonly detail: string }
  | { readonly available: false; readonly detail: string };

const COMPLETED = 'http://adlnet.gov/expapi/verbs/completed';

/** The actor with the most statements in the corpus (so the agent query has pages to follow). */
function busiestActor(tails: readonly string[]): unknown {
  const counts = new Map<string, number>();
  for (const tail of tails) {
    const actor = JSON.stringify((JSON.parse(`{${tail}`) as { actor: unknown }).actor);
    counts.set(actor, (counts.get(actor) ?? 0) + 1);
  }
  const [busiest] = [...counts].sort((a, b) => b[1] - a[1])[0];
  return JSON.parse(busiest) as unknown;
}

export async function measureReadSide(options: ReadSideOptions): Promise<ReadSideOutcome> {
  const { server } = options;
  const headers = { authorization: server.authorization, 'x-experience-api-version': '1.0.3' };
  const get = async (path: string): Promise<{ status: number; text: string; ms: number }> => {
    const started = performance.now();
    const response = await fetch(new URL(path, server.url), { headers });
    const text = await response.text();
    return { status: response.status, text, ms: performance.now() - started };
  };

  // Statements whose ids we know, every corpus statement at least once (so each filter finds some), stored
  // before the first GET (embedded: the ack means stored).
  const ids: string[] = [];
  for (let sent = 0; sent < Math.max(options.byIdRequests, options.tails.length, 50); sent += 50) {
    const batch = JSON.parse(bodyOf(options.tails, sent, 50)) as { id: string }[];
    ids.push(...batch.map((statement) => statement.id));
    const response = await fetch(new URL('/xapi/statements', server.url), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    });
    await response.text();
    if (response.status !== 200) throw new Error(`read side: storing statements answered ${response.status}`);
  }

  const probe = await get(`/xapi/statements?statementId=${ids[0]}`);
  if (probe.status === 405 || (probe.status === 404 && /Cannot GET/.test(probe.text))) {
    return {
      available: false,
      detail: `GET /xapi/statements answers ${probe.status} (${probe.text.slice(0, 120)})`,
    };
  }
  if (probe.status !== 200) {
    throw new Error(`GET by id of a stored statement answered ${probe.status}: ${probe.text.slice(0, 300)}`);
  }

  const byIdP50: number[] = [];
  const byIdP95: number[] = [];
  // The two filters clients use most: a verb across everyone, and one learner's statements.
  const filters = [
    { label: 'verb', query: `verb=${encodeURIComponent(COMPLETED)}` },
    { label: 'agent', query: `agent=${encodeURIComponent(JSON.stringify(busiestActor(options.tails)))}` },
  ];
  const pageP50 = new Map<string, number[]>(filters.map((filter) => [filter.label, []]));
  const pageP95 = new Map<string, number[]>(filters.map((filter) => [filter.label, []]));
  let pagesRead = 0;
  // A warm-up round is not counted.
  for (let run = -1; run < options.runs; run++) {
    const byId: number[] = [];
    for (let i = 0; i < options.byIdRequests; i++) {
      const result = await get(`/xapi/statements?statementId=${ids[(run + 1 + i * 7) % ids.length]}`);
      if (result.status !== 200) throw new Error(`GET by id answered ${result.status}`);
      byId.push(result.ms);
    }
    // Unknown ids cost a lookup too; a tenth of the requests ask for one (404 is the right answer).
    for (let i = 0; i < Math.ceil(options.byIdRequests / 10); i++) {
      const result = await get(`/xapi/statements?statementId=${randomUUID()}`);
      if (result.status !== 404) throw new Error(`GET of an unknown id answered ${result.status}`);
      byId.push(result.ms);
    }
    const pages = new Map<string, number[]>(filters.map((filter) => [filter.label, []]));
    for (let q = 0; q < options.queries; q++) {
      for (const filter of filters) {
        let path: string | undefined = `/xapi/statements?${filter.query}&limit=50`;
        for (let page = 0; path && page < options.pages; page++) {
          const result = await get(path);
          if (result.status !== 200) {
            throw new Error(
              `query by ${filter.label} answered ${result.status}: ${result.text.slice(0, 300)}`,
            );
          }
          pages.get(filter.label)?.push(result.ms);
          const body = JSON.parse(result.text) as { statements: unknown[]; more?: string };
          if (body.statements.length === 0)
            throw new Error(`the query by ${filter.label} found no statements`);
          path = body.more ? body.more : undefined;
        }
      }
    }
    if (run < 0) continue;
    for (const filter of filters) {
      const times = pages.get(filter.label) ?? [];
      pagesRead += times.length;
      pageP50.get(filter.label)?.push(percentile(times, 0.5));
      pageP95.get(filter.label)?.push(percentile(times, 0.95));
    }
    byIdP50.push(percentile(byId, 0.5));
    byIdP95.push(percentile(byId, 0.95));
  }
  return {
    available: true,
    figures: [
      figure('GET by statementId p50', 'ms', byIdP50),
      figure('GET by statementId p95', 'ms', byIdP95, {
        note: 'one request at a time; 1 in 11 for an unknown id',
      }),
      ...filters.flatMap((filter) => [
        figure(
          `query by ${filter.label}, one page (limit 50, following more) p50`,
          'ms',
          pageP50.get(filter.label) ?? [],
        ),
        figure(
          `query by ${filter.label}, one page (limit 50, following more) p95`,
          'ms',
          pageP95.get(filter.label) ?? [],
        ),
      ]),
    ],
    detail: `${options.byIdRequests} GETs by id and ${options.queries} queries × up to ${options.pages} pages per run (${pagesRead} pages measured)`,
  };
}
