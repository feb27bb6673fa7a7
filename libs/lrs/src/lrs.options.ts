import type { MessageProducer } from '@app/bus';
import type { JsonLogger } from '@app/observability';
import type { ReferenceIndex } from '@app/reference';
import type { CredentialStore } from './credentials';
import type { StatementLookup } from './statement-lookup';
import type { AttachmentStore } from './attachments';
import type { StatementReader } from './read/statement-reader';
import type { DocumentStore } from '@app/warehouse';

export interface LrsModuleOptions {
  /** Where accepted statements go (`xapi.statements.received.v1`); Kafka or the in-process bus. */
  readonly producer: MessageProducer;
  /** Stored statements by id, for the conflict check. */
  readonly lookup: StatementLookup;
  readonly credentials: CredentialStore;
  /** Skills and learning points, for attendance sheets. */
  readonly reference: ReferenceIndex;
  /** homePage of the authority account (name = credential key). Default https://learn.jlp.cq.cn/xapi/credentials. */
  readonly authorityHomePage?: string;
  /** homePage of the account a registry learner id becomes in attendance sheets. Default https://learn.jlp.cq.cn/learners. */
  readonly learnerHomePage?: string;
  /** Request body limit in bytes (413 above it). Default 10 MiB; the JSON limit is the Fastify adapter's bodyLimit. */
  readonly bodyLimitBytes?: number;
  /** Per-credential token bucket, in statements. Default 1000/s, burst 10 s worth. */
  readonly rateLimit?: { readonly statementsPerSecond: number; readonly burst?: number };
  /** Recently accepted statements kept for the conflict check (default 100,000). */
  readonly recentCapacity?: number;
  /**
   * Where attachment data (multipart/mixed parts) is stored before the statements are acknowledged. Without
   * it, attachment data is refused with 501 (attachments with a fileUrl only are still accepted).
   */
  readonly attachments?: AttachmentStore;
  readonly logger?: JsonLogger;
  /** The read side (GET /xapi/statements); without it GET answers 503. */
  readonly reader?: StatementReader;
  /**
   * Where the document resources (State, Activity and Agent Profile) keep documents; without it they answer
   * 503 (/xapi/agents and /xapi/activities answer anyway).
   */
  readonly documents?: DocumentStore;
  /** Clock for tests (epoch milliseconds). */
  readonly nowMs?: () => number;
}

export const LRS_OPTIONS = Symbol('LRS_OPTIONS');
