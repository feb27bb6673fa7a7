import { z } from 'zod';
import { isIsoDuration } from './duration';
import {
  describeTypeAndValue,
  describeValue,
  isIri,
  isIrl,
  isIsoTimestamp,
  isLanguageTag,
  isMailtoIri,
  isMediaType,
  isRfc3339Timestamp,
  isSha1Hex,
  isSha2Hex,
  isUuid,
} from './formats';

/** A string schema that must satisfy `test`; the issue carries `rule` and says what was expected and found. */
export function formattedString(test: (value: string) => boolean, rule: string, expectation: string) {
  return z.string().check((payload) => {
    const value = payload.value;
    if (!test(value)) {
      payload.issues.push({
        code: 'custom',
        input: value,
        path: [],
        params: { rule },
        message: `must be ${expectation} (found ${describeValue(value)})`,
      });
    }
  });
}

export const iriSchema = formattedString(isIri, 'format.iri', 'an IRI with a scheme');
export const irlSchema = formattedString(isIrl, 'format.irl', 'an IRL with a scheme');
export const mailtoSchema = formattedString(
  isMailtoIri,
  'format.mailto',
  'a mailto IRI (mailto:name@domain)',
);
export const sha1Schema = formattedString(
  isSha1Hex,
  'format.sha1',
  'a hex-encoded SHA-1 hash (40 hex digits)',
);
export const sha2Schema = formattedString(isSha2Hex, 'format.sha2', 'a hex-encoded SHA-2 hash');
export const uuidSchema = formattedString(isUuid, 'format.uuid', 'a UUID in standard string form');
export const languageTagSchema = formattedString(
  isLanguageTag,
  'format.language-tag',
  'an RFC 5646 language tag',
);
export const mediaTypeSchema = formattedString(isMediaType, 'format.media-type', 'an Internet Media Type');
export const durationSchema = formattedString(
  isIsoDuration,
  'format.duration',
  'an ISO 8601 duration (e.g. PT1H30M)',
);
export const isoTimestampSchema = formattedString(
  isIsoTimestamp,
  'format.timestamp',
  'an ISO 8601 timestamp with a time zone (e.g. 2024-05-01T08:30:00.000Z)',
);
export const rfc3339TimestampSchema = formattedString(
  isRfc3339Timestamp,
  'format.timestamp',
  'an RFC 3339 timestamp (e.g. 2024-05-01T08:30:00.000Z)',
);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A JSON object used as a map whose keys must pass `keyTest`. Checked on the raw input rather than with z.record,
 * which silently drops a "__proto__" key: here such a key is reported like any other malformed key.
 */
function keyCheckedMap<V>(options: {
  keyTest: (key: string) => boolean;
  keyRule: string;
  keyExpectation: string;
  valueTest?: (value: unknown) => value is V;
  valueExpectation?: string;
}) {
  return z
    .unknown()
    .check((payload) => {
      const map = payload.value;
      if (!isPlainObject(map)) {
        const missing = map === undefined;
        payload.issues.push({
          code: 'custom',
          input: map,
          path: [],
          params: { rule: missing ? 'required' : 'type' },
          message: missing ? 'is required' : `must be an object (found ${describeTypeAndValue(map)})`,
        });
        return;
      }
      for (const key of Object.keys(map)) {
        if (!options.keyTest(key)) {
          payload.issues.push({
            code: 'custom',
            input: map,
            path: [key],
            params: { rule: options.keyRule },
            message: `${options.keyExpectation} (found ${describeValue(key)})`,
          });
        }
        if (options.valueTest !== undefined && !options.valueTest(map[key])) {
          payload.issues.push({
            code: 'custom',
            input: map[key],
            path: [key],
            params: { rule: 'type' },
            message: `must be ${options.valueExpectation ?? 'valid'} (found ${describeTypeAndValue(map[key])})`,
          });
        }
      }
    })
    .transform((map) => map as Record<string, V>);
}

/** Language map: RFC 5646 tags to strings (Data 4.2). */
export const languageMapSchema = keyCheckedMap<string>({
  keyTest: isLanguageTag,
  keyRule: 'language-map.key',
  keyExpectation: 'language map keys must be RFC 5646 language tags',
  valueTest: (value): value is string => typeof value === 'string',
  valueExpectation: 'a string',
});

/** Extensions: IRI keys, any JSON value (null included, Data 2.2.s4.b1.b1), never rejected for values. */
export const extensionsSchema = keyCheckedMap<unknown>({
  keyTest: isIri,
  keyRule: 'extensions.key',
  keyExpectation: 'extension keys must be IRIs',
});

export type LanguageMap = z.output<typeof languageMapSchema>;
export type Extensions = z.output<typeof extensionsSchema>;
