import { decideSuppression, type CubeCell } from './suppression';
import { parentKey, periodEndOfKey, snapRange } from './periods';
import { inequality } from './balance';
import { ResearchRequestError } from './errors';

const month = (key: (string | null)[], learners: number): CubeCell => ({
  level: 'month',
  period: '2024-03-01',
  key,
  learners,
});

function decide(cells: CubeCell[], k = 10, levels: ('month' | 'week' | 'day')[] = ['month']) {
  const decisions = decideSuppression(cells, k, levels);
  return (cell: CubeCell) => decisions.get(cell);
}

describe('decideSuppression', () => {
  it('suppresses a cell under k and, when it is alone in its line, the next smallest too', () => {
    const total = month([null], 45);
    const t1 = month(['T01'], 30);
    const t2 = month(['T02'], 12);
    const t3 = month(['T03'], 3);
    const hidden = decide([total, t1, t2, t3]);
    expect([hidden(total), hidden(t1), hidden(t2), hidden(t3)]).toEqual([false, false, true, true]);
  });

  it('keeps suppressing until the suppressed cells of a line hold k learners together', () => {
    const cells = [
      month([null], 60),
      month(['A'], 2),
      month(['B'], 3),
      month(['C'], 4),
      month(['D'], 11),
      month(['E'], 40),
    ];
    const hidden = decide(cells);
    // A alone (2) → add B (5) → add C (9) → add D (20 ≥ 10).
    expect(cells.map(hidden)).toEqual([false, true, true, true, true, false]);
  });

  it('suppresses the children of a suppressed parent, so published finer cells cannot rebuild it', () => {
    const total = month([null, null], 45);
    const towns = [month(['T01', null], 30), month(['T02', null], 12), month(['T03', null], 3)];
    const genders = [month([null, 'female'], 45)];
    // T02 is suppressed as T03's partner; its only child holds all its 12 learners.
    const children = [
      month(['T01', 'female'], 30),
      month(['T02', 'female'], 12),
      month(['T03', 'female'], 3),
    ];
    const hidden = decide([total, ...towns, ...genders, ...children]);
    expect(towns.map(hidden)).toEqual([false, true, true]);
    expect(children.map(hidden)).toEqual([false, true, true]);
  });

  it('works down the nested calendar: a week under a suppressed month is suppressed, days pair up in their week', () => {
    const m = { level: 'month' as const, period: '2024-03-01', key: [], learners: 25 };
    const w1 = { level: 'week' as const, period: '2024-03-01', key: [], learners: 20 };
    const w2 = { level: 'week' as const, period: '2024-03-08', key: [], learners: 4 };
    const days = [
      { level: 'day' as const, period: '2024-03-01', key: [], learners: 15 },
      { level: 'day' as const, period: '2024-03-02', key: [], learners: 12 },
      { level: 'day' as const, period: '2024-03-03', key: [], learners: 1 },
      { level: 'day' as const, period: '2024-03-09', key: [], learners: 4 },
    ];
    const hidden = decide([m, w1, w2, ...days], 10, ['month', 'week', 'day']);
    expect([hidden(m), hidden(w1), hidden(w2)]).toEqual([false, true, true]);
    // Week 1 is suppressed (w2's partner), so all its days are, whatever their size.
    expect(days.map(hidden)).toEqual([true, true, true, true]);
  });

  it('decides a cell the same way whatever else the query asks for (decisions depend on ancestors and lines only)', () => {
    const make = () => [month([null], 45), month(['T01'], 30), month(['T02'], 12), month(['T03'], 3)];
    const a = make();
    const b = make();
    const first = decide(a);
    const second = decide(b);
    expect(a.map(first)).toEqual(b.map(second));
  });
});

describe('periods', () => {
  it('nests month-aligned weeks in months', () => {
    expect(parentKey('day', '2024-03-31')).toBe('2024-03-29');
    expect(parentKey('week', '2024-03-29')).toBe('2024-03-01');
    expect(periodEndOfKey('week', '2024-03-29')).toBe('2024-03-31');
    expect(periodEndOfKey('week', '2024-02-29')).toBe('2024-02-29');
    expect(periodEndOfKey('week', '2024-03-22')).toBe('2024-03-28');
  });

  it('widens a range to whole periods, so a range one day longer asks for the same cells', () => {
    expect(snapRange('month', '2024-03-05', '2024-03-30')).toMatchObject({
      from: '2024-03-01',
      to: '2024-03-31',
    });
    expect(snapRange('week', '2024-03-09', '2024-03-30')).toMatchObject({
      from: '2024-03-08',
      to: '2024-03-31',
    });
  });

  it('refuses a reversed range and an impossible date, saying which', () => {
    expect(() => snapRange('day', '2024-03-05', '2024-03-01')).toThrow(
      /to \(2024-03-01\) is before from \(2024-03-05\)/,
    );
    expect(() => snapRange('day', '2024-02-30', '2024-03-01')).toThrow(ResearchRequestError);
  });
});

describe('inequality', () => {
  it('is 0 for equal participation and splits Theil exactly into between and within regions', () => {
    const equal = inequality([
      { region: 'east', population: 1000, learners: 10 },
      { region: 'west', population: 2000, learners: 20 },
    ]);
    expect(equal).toEqual({ gini: 0, theil: 0, theilBetweenRegions: 0, theilWithinRegions: 0 });
    const towns = [
      { region: 'east', population: 1000, learners: 40 },
      { region: 'east', population: 1000, learners: 10 },
      { region: 'west', population: 2000, learners: 10 },
    ];
    const result = inequality(towns);
    // Gini by hand: rates 0.04, 0.01, 0.005; ΣΣ pᵢpⱼ|rᵢ−rⱼ| = 2·(1e6·0.03 + 2e6·0.035 + 2e6·0.005) = 220,000.
    expect(result.gini).toBeCloseTo(220_000 / (2 * 4000 * 60), 6);
    const L = 60;
    const P = 4000;
    const between = (50 / L) * Math.log(50 / 2000 / (L / P)) + (10 / L) * Math.log(10 / 2000 / (L / P));
    expect(result.theilBetweenRegions).toBeCloseTo(between, 6);
    expect(result.theil).toBeCloseTo((result.theilBetweenRegions ?? 0) + (result.theilWithinRegions ?? 0), 6);
  });
});
