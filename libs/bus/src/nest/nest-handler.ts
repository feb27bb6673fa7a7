import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import type { MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom, throwError, type Observable } from 'rxjs';
import type { BatchHandler, BatchResult, ConsumedMessage } from '../core/ports';
import { errorMessage } from '../core/errors';
import type { BatchContext } from './batch-context';

/**
 * Nest's default RPC filter replaces any error that is not an RpcException with `{ status: 'error',
 * message: 'Internal server error' }`. That object is what a transport sees; the original error was
 * logged by Nest. It is classified like any unknown error (retriable).
 */
export class MaskedHandlerError extends Error {
  override readonly name = 'MaskedHandlerError';

  constructor(readonly rejection: unknown) {
    super(
      `handler failed (Nest masked the error: ${errorMessage(rejection)}); throw a BusError subclass or use PassThroughRpcExceptionFilter to classify it`,
    );
  }
}

/** Calls a handler registered through Nest (`@EventPattern`) with a batch and turns its answer into a BatchResult. */
export async function invokeNestHandler(
  handler: MessageHandler,
  messages: ConsumedMessage<unknown>[],
  context: BatchContext,
): Promise<BatchResult> {
  try {
    const returned: unknown = await handler(messages, context);
    const result = isObservable(returned)
      ? await lastValueFrom(returned, { defaultValue: undefined })
      : returned;
    return result as BatchResult;
  } catch (error) {
    throw error instanceof Error ? error : new MaskedHandlerError(error);
  }
}

/** Wraps a plain BatchHandler so it can sit in Nest's handler map next to `@EventPattern` handlers. */
export function asNestHandler(handler: BatchHandler<unknown>): MessageHandler {
  const nestHandler = ((messages: ConsumedMessage<unknown>[], context?: BatchContext) =>
    handler(messages, context)) as MessageHandler;
  return nestHandler;
}

/**
 * Lets every handler error reach the bus transport unchanged, so plain errors (a ContractDecodeError, a
 * ClickHouse client error) are classified by their class. Register with `app.useGlobalFilters(...)` or
 * `@UseFilters(...)` on a consumer controller.
 */
@Catch()
export class PassThroughRpcExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
