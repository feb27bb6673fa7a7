import { UnsupportedXapiVersionError } from './errors';

/** The rule sets this library validates against. 1.0.3 is complete; 2.0.0 adds its documented differences. */
export const XAPI_VERSIONS = ['1.0.3', '2.0.0'] as const;
export type XapiVersion = (typeof XAPI_VERSIONS)[number];

export const DEFAULT_XAPI_VERSION: XapiVersion = '1.0.3';

/**
 * Maps an `X-Experience-API-Version` header value to the rule set: any 1.0.x is validated as 1.0.3 (the data model
 * is the same for all 1.0.x), any 2.0.x as 2.0.0. Throws UnsupportedXapiVersionError otherwise.
 */
export function xapiVersionFromHeader(header: string): XapiVersion {
  const value = header.trim();
  if (/^1\.0(?:\.\d+)?$/.test(value)) return '1.0.3';
  if (/^2\.0(?:\.\d+)?$/.test(value)) return '2.0.0';
  throw new UnsupportedXapiVersionError(header);
}
