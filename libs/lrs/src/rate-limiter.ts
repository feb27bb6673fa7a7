import { LruMap } from './lru-map';

export interface RateLimitOptions {
  /** Sustained statements per second per credential. */
  readonly statementsPerSecond: number;
  /** Bucket size: how many statements a credential may send at once after a quiet period (default 10 s worth). */
  readonly burst?: number;
  readonly now?: () => number;
}

export type RateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token bucket per credential, counted in statements. A request larger than the bucket costs the whole
 * bucket (so a big batch is slowed, not refused for ever); a refused request takes nothing.
 */
export class TokenBucketLimiter {
  private readonly buckets = new LruMap<string, Bucket>(100_000);
  private readonly rate: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(options: RateLimitOptions) {
    if (!(options.statementsPerSecond > 0)) throw new RangeError('statementsPerSecond must be positive');
    this.rate = options.statementsPerSecond;
    this.burst = options.burst ?? Math.max(1, Math.ceil(options.statementsPerSecond * 10));
    if (!(this.burst >= 1)) throw new RangeError('burst must be at least 1');
    this.now = options.now ?? Date.now;
  }

  take(key: string, statements: number): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.rate);
    bucket.updatedAt = now;
    const cost = Math.min(Math.max(statements, 1), this.burst);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      this.buckets.set(key, bucket);
      return { allowed: true };
    }
    this.buckets.set(key, bucket);
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((cost - bucket.tokens) / this.rate)) };
  }
}
