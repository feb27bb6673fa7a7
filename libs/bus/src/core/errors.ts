import { RpcException } from '@nestjs/microservices';

/**
 * Base of the errors a handler throws to tell the transport what to do. It extends RpcException only so
 * that Nest's default RPC exception filter hands the error itself through (it re-throws what `getError()`
 * returns) instead of masking it as "Internal server error"; the class is what the transports classify.
 */
export abstract class BusError extends RpcException {
  abstract readonly retriable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    this.message = message;
    if (options && 'cause' in options) this.cause = options.cause;
  }

  override getError(): this {
    return this;
  }
}

/** Try again later: the dependency is down, the broker is unavailable, a timeout. Never dead-lettered. */
export class RetriableError extends BusError {
  override readonly name: string = 'RetriableError';
  readonly retriable = true;
}

/** Will fail the same way every time. The transport isolates the failing message(s) and dead-letters them. */
export class PermanentError extends BusError {
  override readonly name: string = 'PermanentError';
  readonly retriable = false;
}

/** A message whose content cannot be processed (bad shape, unknown reference that will never resolve). */
export class PoisonMessageError extends PermanentError {
  override readonly name: string = 'PoisonMessageError';
}

/** Raised inside a batch when the consumer is shutting down while a retriable failure is being retried. */
export class ShutdownInterruptedError extends RetriableError {
  override readonly name: string = 'ShutdownInterruptedError';
}

/**
 * The consumer found, just before writing, that its group moved on without it (it stalled longer than the
 * session timeout): its partitions may already be another member's, so it must not write. Retriable: the
 * transport rejoins, and whoever owns the partition then gets the batch.
 */
export class MembershipLostError extends RetriableError {
  override readonly name: string = 'MembershipLostError';
}

/** The producer was closed; nothing more can be sent. */
export class ProducerClosedError extends Error {
  override readonly name = 'ProducerClosedError';
}

/** Sending to a topic nobody consumes in the in-process bus would lose the message, so it is refused. */
export class NoSubscriberError extends PermanentError {
  override readonly name: string = 'NoSubscriberError';

  constructor(readonly topic: string) {
    super(`no handler is registered for topic ${topic}`);
  }
}

/** A handler returned a result the transport cannot apply (e.g. a dead letter for a message not in its batch). */
export class InvalidBatchResultError extends PermanentError {
  override readonly name: string = 'InvalidBatchResultError';
}

export type ErrorClass = 'retriable' | 'permanent';
export type ErrorClassifier = (error: unknown) => ErrorClass;

/** Errors this library does not know, by name, that say "the input is bad" (decoding, validation). */
const PERMANENT_ERROR_NAMES = new Set(['ContractDecodeError', 'ZodError', 'SyntaxError']);

/**
 * Default classification. Unknown errors are retriable: retrying a failure that was in fact permanent
 * blocks one partition visibly, while dead-lettering a transient one would quietly divert good data.
 */
export function classifyError(error: unknown): ErrorClass {
  if (error instanceof BusError) return error.retriable ? 'retriable' : 'permanent';
  if (error instanceof Error && PERMANENT_ERROR_NAMES.has(error.name)) return 'permanent';
  if (brokerErrorTypes(error).some((type) => PERMANENT_BROKER_ERRORS.has(type))) return 'permanent';
  return 'retriable';
}

/**
 * Broker answers that no retry can change: a message over the broker's size limit would block its partition
 * forever; as a permanent error the batch is split and that message alone is dead-lettered.
 */
const PERMANENT_BROKER_ERRORS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']);

/** kafkajs protocol error types (`error.type`), also inside its retry wrapper (`originalError`). */
function brokerErrorTypes(error: unknown): string[] {
  const types: string[] = [];
  for (
    let current = error, depth = 0;
    typeof current === 'object' && current !== null && depth < 5;
    depth += 1
  ) {
    const { type, originalError } = current as { type?: unknown; originalError?: unknown };
    if (typeof type === 'string') types.push(type);
    current = originalError;
  }
  return types;
}

/** The most specific name: a subclass that forgot to set `name` still reports its own class. */
export function errorClassName(error: unknown): string {
  if (error instanceof Error) {
    const constructorName = error.constructor.name;
    return constructorName && constructorName !== 'Error' ? constructorName : error.name;
  }
  return typeof error;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}
