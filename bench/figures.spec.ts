import { checkTarget, figure, formatNumber, median, percentile } from './figures';
import { fileStamp, markdownSection, type BenchResults } from './report';
import { bodyOf, tailsOf } from './open-loop';

describe('bench figures', () => {
  it('takes the median of odd and even counts and nearest-rank percentiles', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(hundred, 0.5)).toBe(50);
    expect(percentile(hundred, 0.99)).toBe(99);
    expect(percentile([7], 0.95)).toBe(7);
    expect(() => median([])).toThrow(RangeError);
  });

  it('checks "at least" and "at most" targets with a ratio above 1 when met', () => {
    expect(checkTarget(12_000, { kind: 'min', value: 10_000, label: '' })).toMatchObject({
      pass: true,
      ratio: 1.2,
    });
    expect(checkTarget(50, { kind: 'max', value: 25, label: '' })).toMatchObject({ pass: false, ratio: 0.5 });
    const f = figure('ack p99', 'ms', [30, 10, 20], { target: { kind: 'max', value: 25, label: '≤ 25 ms' } });
    expect(f).toMatchObject({ median: 20, min: 10, max: 30, target: { pass: true, ratio: 1.25 } });
  });

  it('formats small figures with three significant digits and large ones with separators', () => {
    expect(formatNumber(0.123456)).toBe('0.123');
    expect(formatNumber(12_345.6)).toBe('12,346');
  });
});

describe('bench report', () => {
  it('writes one table row per figure with the target, pass/miss and the ratio, and names the misses', () => {
    const results: BenchResults = {
      startedAt: '2026-11-29T01:02:03.456Z',
      finishedAt: '2026-11-29T01:40:00.000Z',
      command: 'npm run bench',
      smoke: false,
      options: {},
      machine: {
        cores: 2,
        cpuModel: 'AMD EPYC',
        memoryGiB: 23.5,
        os: 'linux',
        loadAverageAtStart: [0.1, 0.2, 0.3],
        node: 'v20.20.2',
        java: '17.0.15',
        chdb: '3.4.0 (engine 26.7.2.1)',
        kafka: '4.4.0',
      },
      parts: [
        {
          name: '2. ingest',
          status: 'ok',
          seconds: 1,
          figures: [
            figure('max sustained rate, kafka, 50 per POST', 'statements/s', [6_000, 6_500, 7_000], {
              target: { kind: 'min', value: 10_000, label: '≥ 10,000/s' },
            }),
          ],
        },
        { name: '5. read side', status: 'not available', detail: 'GET answers 404', seconds: 0, figures: [] },
      ],
    };
    const markdown = markdownSection(results, 'bench/results/x.json');
    expect(markdown).toContain('2 cores (AMD EPYC), 23.5 GiB');
    expect(markdown).toContain('Kafka 4.4.0');
    expect(markdown).toContain(
      '| 2. ingest | max sustained rate, kafka, 50 per POST | 6,500 statements/s | 6,000–7,000 | 3 | ≥ 10,000/s | **miss** (0.65×) |',
    );
    expect(markdown).toContain('| 5. read side | **not available**: GET answers 404 |');
    expect(markdown).toContain(
      'Missed: max sustained rate, kafka, 50 per POST (6,500 statements/s; ≥ 10,000/s)',
    );
    expect(fileStamp(new Date(results.startedAt))).toBe('2026-11-29T01-02-03Z');
  });
});

describe('open-loop bodies', () => {
  it('gives every statement a fresh id and sends arrays only for batches', () => {
    const tails = tailsOf([{ verb: { id: 'v' } }, { verb: { id: 'w' } }]);
    const one = JSON.parse(bodyOf(tails, 0, 1)) as { id: string; verb: { id: string } };
    expect(one.verb.id).toBe('v');
    const batch = JSON.parse(bodyOf(tails, 1, 3)) as { id: string; verb: { id: string } }[];
    expect(batch.map((s) => s.verb.id)).toEqual(['w', 'v', 'w']);
    expect(new Set([one.id, ...batch.map((s) => s.id)]).size).toBe(4);
  });
});
