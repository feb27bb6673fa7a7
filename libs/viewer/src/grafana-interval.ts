/**
 * The panel interval as Grafana picks it: the range divided by the panel's data points (its width in
 * pixels), rounded to a readable step (Grafana's rangeutil.roundInterval), at least `minSeconds`.
 */
const STEPS_MS: readonly (readonly [number, number])[] = [
  [15, 10],
  [35, 20],
  [75, 50],
  [150, 100],
  [350, 200],
  [750, 500],
  [1_500, 1_000],
  [3_500, 2_000],
  [7_500, 5_000],
  [12_500, 10_000],
  [17_500, 15_000],
  [25_000, 20_000],
  [45_000, 30_000],
  [90_000, 60_000],
  [210_000, 120_000],
  [450_000, 300_000],
  [750_000, 600_000],
  [1_050_000, 900_000],
  [1_500_000, 1_200_000],
  [2_700_000, 1_800_000],
  [5_400_000, 3_600_000],
  [9_000_000, 7_200_000],
  [16_200_000, 10_800_000],
  [27_000_000, 21_600_000],
  [39_600_000, 43_200_000],
  [108_000_000, 86_400_000],
  [302_400_000, 604_800_000],
  [3_024_000_000, 2_592_000_000],
];

export function roundIntervalMs(intervalMs: number): number {
  for (const [below, step] of STEPS_MS) if (intervalMs < below) return step;
  return 31_536_000_000;
}

export function panelIntervalSeconds(
  fromMs: number,
  toMs: number,
  maxDataPoints: number,
  minSeconds = 1,
): number {
  const raw = (toMs - fromMs) / Math.max(1, maxDataPoints);
  return Math.max(minSeconds, roundIntervalMs(raw) / 1000);
}
