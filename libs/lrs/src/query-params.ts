import { isIri, isIsoTimestamp, isUuid, toUtcTimestamp } from '@app/xapi';
import { BadRequestError } from './errors';

/** Query parameters as Fastify parsed them: a repeated name arrives as an array. */
export type QueryParams = Readonly<Record<string, unknown>>;

/** Communication 3.2.s3.b7/b8: parameters the resource does not define (or spelled in another case) → 400. */
export function rejectUnknownParameters(query: QueryParams, allowed: readonly string[]): void {
  const unknown = Object.keys(query).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    throw new BadRequestError(`unknown parameter(s) for this resource: ${unknown.join(', ')}`);
  }
}

export function queryText(query: QueryParams, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new BadRequestError(`parameter ${name} must be given once`);
  return value;
}

/** Lower case. */
export function queryUuid(query: QueryParams, name: string): string | undefined {
  const value = queryText(query, name);
  if (value === undefined) return undefined;
  if (!isUuid(value)) throw new BadRequestError(`parameter ${name} is not a UUID: ${JSON.stringify(value)}`);
  return value.toLowerCase();
}

export function queryIri(query: QueryParams, name: string): string | undefined {
  const value = queryText(query, name);
  if (value === undefined) return undefined;
  if (!isIri(value)) throw new BadRequestError(`parameter ${name} is not an IRI: ${JSON.stringify(value)}`);
  return value;
}

/** An ISO 8601 timestamp as UTC; without a time zone the time is taken as UTC. */
export function queryTimestamp(query: QueryParams, name: string): string | undefined {
  const value = queryText(query, name);
  if (value === undefined) return undefined;
  for (const candidate of [value, `${value}Z`]) {
    if (!isIsoTimestamp(candidate)) continue;
    try {
      return toUtcTimestamp(candidate);
    } catch {
      // not one the converter takes (e.g. no seconds and a zone): try the next spelling
    }
  }
  throw new BadRequestError(`parameter ${name} is not an ISO 8601 timestamp: ${JSON.stringify(value)}`);
}
