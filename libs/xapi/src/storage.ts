import { randomUUID } from 'node:crypto';
import type { Authority } from './actor.schema';
import type { Statement } from './statement.schema';
import { isIsoTimestamp } from './formats';
import { InvalidTimestampError } from './timestamp';
import type { XapiVersion } from './version';

/** A Statement with every property the LRS must or should assign when storing it (Data 2.4.1, 2.4.7-2.4.10). */
export type StoredStatement = Statement &
  Required<Pick<Statement, 'id' | 'stored' | 'timestamp' | 'authority' | 'version'>>;

export interface StorageAssignments {
  /** When the LRS stores the statement; always overwrites a client's "stored" (Data 2.4.8.s3.b2). */
  stored: Date | string;
  /**
   * The authority derived from the request's credentials; overwrites a client's value (Data 2.4.9.s3.b4). When
   * omitted the client's authority is kept, which the spec allows only for trusted sources (2.4.9.s3.b5).
   */
  authority?: Authority;
  /** The rule set the statement was accepted under; decides the default "version" (1.0.0 or 2.0.0). */
  version?: XapiVersion;
  /** Statement id generator for statements sent without one (Data 2.4.1.s2.b1). */
  generateId?: () => string;
}

export class MissingAuthorityError extends Error {
  constructor() {
    super(
      'a stored statement must have an authority (Data 2.4.9.s3.b3): none was sent and none was assigned',
    );
    this.name = 'MissingAuthorityError';
  }
}

/**
 * Completes a validated Statement the way the LRS stores it: id generated when missing, "stored" set, "timestamp"
 * defaulting to "stored", "authority" from the credentials, "version" defaulting to 1.0.0 (2.0.0 under xAPI 2.0)
 * and otherwise kept as accepted. contextActivities are already arrays after validation. Returns a new object.
 */
export function prepareForStorage(statement: Statement, assignments: StorageAssignments): StoredStatement {
  const stored =
    typeof assignments.stored === 'string' ? assignments.stored : assignments.stored.toISOString();
  if (!isIsoTimestamp(stored)) throw new InvalidTimestampError(stored);
  const authority = assignments.authority ?? statement.authority;
  if (authority === undefined) throw new MissingAuthorityError();
  return {
    ...statement,
    id: statement.id ?? (assignments.generateId ?? randomUUID)(),
    timestamp: statement.timestamp ?? stored,
    stored,
    authority,
    version: statement.version ?? (assignments.version === '2.0.0' ? '2.0.0' : '1.0.0'),
  };
}
