export interface PollOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Wait this long between attempts (default 100 ms). */
  intervalMs?: number;
  /** What is being waited for; used in the timeout error. */
  description?: string;
}

export class PollTimeoutError extends Error {
  override readonly name = 'PollTimeoutError';

  constructor(
    readonly description: string,
    readonly timeoutMs: number,
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    const reason =
      lastError === undefined
        ? 'the condition never held'
        : `last attempt failed: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
    super(`Timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${description}; ${reason}`, {
      cause: lastError,
    });
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_INTERVAL_MS = 100;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` until it returns a value other than undefined, null or false, and resolves with that value.
 * A probe that throws counts as "not yet" (the service may still be starting); the last error is attached
 * to the PollTimeoutError if the deadline passes.
 */
export async function pollUntil<T>(
  probe: () => T | Promise<T>,
  options: PollOptions = {},
): Promise<Exclude<T, undefined | null | false>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  let lastError: unknown = undefined;
  for (;;) {
    attempts += 1;
    try {
      // A probe that hangs (e.g. a request to a server that never answers) must not outlive the deadline.
      const value = await withDeadline(Promise.resolve().then(probe), deadline);
      if (value !== undefined && value !== null && value !== false) {
        return value as Exclude<T, undefined | null | false>;
      }
      lastError = undefined;
    } catch (error: unknown) {
      lastError = error;
    }
    if (Date.now() + intervalMs > deadline) {
      throw new PollTimeoutError(options.description ?? 'condition', timeoutMs, attempts, lastError);
    }
    await sleep(intervalMs);
  }
}

class AttemptPendingError extends Error {
  override readonly name = 'AttemptPendingError';
}

function withDeadline<T>(attempt: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AttemptPendingError('the last attempt was still pending at the deadline')),
      Math.max(0, deadline - Date.now()),
    );
  });
  return Promise.race([attempt, expired]).finally(() => clearTimeout(timer));
}

/**
 * Runs `assertion` (typically a block of `expect(...)` calls) until it stops throwing, and resolves with its
 * return value. On timeout the last assertion error is rethrown unchanged so the test report shows the
 * real diff, with the waiting time prepended to its message.
 */
export async function expectEventually<T>(
  assertion: () => T | Promise<T>,
  options: PollOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error: unknown) {
      if (Date.now() + intervalMs > deadline) {
        if (error instanceof Error) {
          const what = options.description ? ` (${options.description})` : '';
          error.message = `Still failing after ${timeoutMs} ms${what}:\n${error.message}`;
        }
        throw error;
      }
    }
    await sleep(intervalMs);
  }
}
