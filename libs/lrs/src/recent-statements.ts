import type { Statement } from '@app/xapi';
import { LruMap } from './lru-map';

/**
 * Statements this process accepted recently, by lower-case id. In Kafka mode a statement is acknowledged
 * before the sink has written it, so the warehouse lookup alone would miss a quick re-send. An entry is
 * added before its message is sent; `durable` settles true once the bus acknowledged it and false if the
 * send failed (the entry is then removed), so a concurrent request with the same id never acknowledges
 * before the first one is durable.
 */
export interface RecentStatement {
  readonly statement: Statement;
  readonly durable: Promise<boolean>;
}

export class RecentStatements {
  private readonly entries: LruMap<string, RecentStatement>;

  constructor(capacity = 100_000) {
    this.entries = new LruMap(capacity);
  }

  get(id: string): RecentStatement | undefined {
    return this.entries.get(id.toLowerCase());
  }

  /** Registers a statement about to be sent; call the returned function with the send's outcome. */
  begin(statement: Statement & { id: string }): (durable: boolean) => void {
    const id = statement.id.toLowerCase();
    let settle: (durable: boolean) => void = () => undefined;
    const durable = new Promise<boolean>((resolve) => (settle = resolve));
    const entry: RecentStatement = { statement, durable };
    this.entries.set(id, entry);
    return (ok) => {
      if (!ok && this.entries.get(id) === entry) this.entries.delete(id);
      settle(ok);
    };
  }
}
