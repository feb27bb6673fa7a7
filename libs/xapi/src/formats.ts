// String formats of the xAPI Data part, as plain predicates so that the zod schemas and any fast path share them.

// RFC 3987 scheme followed by a non-empty body without whitespace or characters IRIs never contain.
// Any scheme is allowed: real data uses e.g. `course-v1:` or `urn:`; a fragment or relative IRI is not an IRI.
// eslint-disable-next-line no-control-regex -- control characters are exactly what an IRI must not contain
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`\u0000-\u001f\u007f]+$/;

export function isIri(value: string): boolean {
  return IRI.test(value);
}

/** An IRL is an IRI meant to be resolvable; the LRS may validate it best-effort (Data 2.2.s4.b6). */
export function isIrl(value: string): boolean {
  return IRI.test(value);
}

const MAILTO = /^mailto:[^\s@:/?#]+@[^\s@/?#]+$/;

export function isMailtoIri(value: string): boolean {
  return MAILTO.test(value);
}

const SHA1_HEX = /^[0-9a-fA-F]{40}$/;

export function isSha1Hex(value: string): boolean {
  return SHA1_HEX.test(value);
}

// SHA-224, SHA-256, SHA-384 or SHA-512, hex encoded.
const SHA2_HEX = /^(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})$/;

export function isSha2Hex(value: string): boolean {
  return SHA2_HEX.test(value);
}

// Standard string form; any version and variant (the issue asks for shape only, not RFC 4122 variant bits).
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

// RFC 5646 section 2.1 ABNF: langtag / privateuse / grandfathered, case-insensitive.
const LANGTAG = new RegExp(
  '^(?:' +
    // langtag
    '(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})' + // language (with up to three extlang)
    '(?:-[a-z]{4})?' + // script
    '(?:-(?:[a-z]{2}|[0-9]{3}))?' + // region
    '(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*' + // variants
    '(?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*' + // extensions
    '(?:-x(?:-[a-z0-9]{1,8})+)?' + // private use suffix
    '|x(?:-[a-z0-9]{1,8})+' + // private use tag
    '|en-gb-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|i-tay' +
    '|i-tsu|sgn-be-fr|sgn-be-nl|sgn-ch-de|art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min' +
    '|zh-min-nan|zh-xiang' +
    ')$',
  'i',
);

export function isLanguageTag(value: string): boolean {
  return LANGTAG.test(value);
}

// ISO 8601 extended calendar date and time with a time zone designator. A negative zero offset (-00, -00:00,
// -0000) is the RFC 3339 "unknown offset" marker and not a valid ISO 8601 offset, so it is rejected.
const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|([+-])(\d{2})(?::?(\d{2}))?)$/;

// RFC 3339 section 5.6 date-time (xAPI 2.0): seconds required, offset as Z or +hh:mm.
const RFC3339_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function validDateTime(m: RegExpExecArray): boolean {
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 60) return false;
  return true;
}

export function isIsoTimestamp(value: string): boolean {
  const m = ISO_TIMESTAMP.exec(value);
  if (m === null || !validDateTime(m)) return false;
  if (m[9] !== undefined) {
    const offsetHours = Number(m[10]);
    const offsetMinutes = m[11] === undefined ? 0 : Number(m[11]);
    if (offsetHours > 23 || offsetMinutes > 59) return false;
    if (m[9] === '-' && offsetHours === 0 && offsetMinutes === 0) return false;
  }
  return true;
}

export function isRfc3339Timestamp(value: string): boolean {
  const m = RFC3339_TIMESTAMP.exec(value);
  if (m === null || !validDateTime(m)) return false;
  if (m[9] !== undefined) {
    const offsetHours = Number(m[10]);
    const offsetMinutes = Number(m[11]);
    if (offsetHours > 23 || offsetMinutes > 59) return false;
    if (m[9] === '-' && offsetHours === 0 && offsetMinutes === 0) return false;
  }
  return true;
}

// RFC 2046 type/subtype with optional parameters.
const MEDIA_TYPE =
  /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?:\s*;\s*[^\s=;]+=(?:[^\s;"]+|"[^"]*"))*\s*$/;

export function isMediaType(value: string): boolean {
  return MEDIA_TYPE.test(value);
}

const VERSION_1_0 = /^1\.0(?:\.\d+)?$/;
const VERSION_2_0 = /^2\.0(?:\.\d+)?$/;

export function isVersion10(value: string): boolean {
  return VERSION_1_0.test(value);
}

export function isVersion20(value: string): boolean {
  return VERSION_2_0.test(value);
}

/** Short, readable rendering of an offending value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/** The JSON type of a value followed by its rendering when short, e.g. `string "x"`, `number 5`, `object`. */
export function describeTypeAndValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return `string ${describeValue(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return describeValue(value);
  return typeof value;
}
