export type HealthStatus = 'up' | 'down';

export interface HealthCheckResult {
  status: HealthStatus;
  detail?: string;
}

export type HealthCheck = () => Promise<HealthCheckResult> | HealthCheckResult;

export interface HealthReport {
  status: HealthStatus;
  checks: Record<string, HealthCheckResult>;
}

/**
 * Named checks (broker connection, warehouse reachable, consumer running) that each component
 * registers; /health reports all of them and is `down` if any is. A check that throws or takes longer
 * than the timeout counts as down, with the reason.
 */
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();

  constructor(private readonly timeoutMs = 2000) {}

  register(name: string, check: HealthCheck): void {
    if (this.checks.has(name)) throw new Error(`health check "${name}" is already registered`);
    this.checks.set(name, check);
  }

  async report(): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await this.run(check)] as const),
    );
    const checks = Object.fromEntries(entries);
    const status: HealthStatus = entries.every(([, r]) => r.status === 'up') ? 'up' : 'down';
    return { status, checks };
  }

  private async run(check: HealthCheck): Promise<HealthCheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<HealthCheckResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ status: 'down', detail: `no answer within ${this.timeoutMs} ms` }),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([Promise.resolve().then(check), timeout]);
    } catch (error) {
      return { status: 'down', detail: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}
