import { X509Certificate, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { Attachment } from './attachment.schema';
import { statementDifference } from './equivalence';
import type { Statement } from './statement.schema';
import { validateStatement } from './validate';
import type { XapiVersion } from './version';

// Data 2.6 Signed Statements: the signature is an attachment (usageType below, contentType
// application/octet-stream) whose data is a JWS (RFC 7515, compact serialization) signed with RS256, RS384 or
// RS512, whose payload is the statement as it was before the signature attachment was added.

export const SIGNATURE_USAGE_TYPE = 'http://adlnet.gov/expapi/attachments/signature';
export const SIGNATURE_CONTENT_TYPE = 'application/octet-stream';

const HASH_BY_ALGORITHM: Readonly<Record<string, string>> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
};

/** Why a signature was refused (stable ids for clients and tests). */
export type SignatureFailure =
  | 'wrong-content-type'
  | 'malformed-jws'
  | 'unsupported-algorithm'
  | 'invalid-payload'
  | 'payload-mismatch'
  | 'bad-certificate'
  | 'bad-signature';

export class SignatureVerificationError extends Error {
  constructor(
    readonly reason: SignatureFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SignatureVerificationError';
  }
}

export interface SignatureCheck {
  readonly algorithm: 'RS256' | 'RS384' | 'RS512';
  /** Whether the JWS header carried an X.509 certificate (x5c) and the signature was checked against its key. */
  readonly certificateChecked: boolean;
}

export function isSignatureAttachment(attachment: Pick<Attachment, 'usageType'>): boolean {
  return attachment.usageType === SIGNATURE_USAGE_TYPE;
}

/** The statement as it was before signing: without its signature attachment(s), or attachments at all if none remain. */
export function withoutSignature(statement: Statement): Statement {
  if (statement.attachments === undefined) return statement;
  const { attachments, ...rest } = statement;
  const kept = attachments.filter((a) => !isSignatureAttachment(a));
  return kept.length === 0 ? rest : { ...rest, attachments: kept };
}

/** Checks the signature attachment's metadata (Data 2.6.s4.b1) before its data is looked at. */
export function checkSignatureAttachment(attachment: Attachment): void {
  if (attachment.contentType.split(';', 1)[0].trim().toLowerCase() !== SIGNATURE_CONTENT_TYPE) {
    throw new SignatureVerificationError(
      'wrong-content-type',
      `a signature attachment must have contentType ${SIGNATURE_CONTENT_TYPE}, not ${attachment.contentType}`,
    );
  }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function decodeSegment(segment: string, name: string): Buffer {
  if (!BASE64URL.test(segment)) {
    throw new SignatureVerificationError('malformed-jws', `the JWS ${name} is not base64url`);
  }
  return Buffer.from(segment, 'base64url');
}

function parseJson(bytes: Buffer, what: string, reason: SignatureFailure): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new SignatureVerificationError(reason, `the JWS ${what} is not valid JSON`);
  }
}

function certificateKey(x5c: unknown): KeyObject {
  if (!Array.isArray(x5c) || x5c.length === 0 || typeof x5c[0] !== 'string') {
    throw new SignatureVerificationError(
      'bad-certificate',
      'the JWS header x5c must be a non-empty array of base64 certificates',
    );
  }
  let key: KeyObject;
  try {
    key = new X509Certificate(Buffer.from(x5c[0], 'base64')).publicKey;
  } catch (error) {
    throw new SignatureVerificationError(
      'bad-certificate',
      `the first x5c certificate cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new SignatureVerificationError(
      'bad-certificate',
      `the x5c certificate holds a ${key.asymmetricKeyType ?? 'unknown'} key; RS256/384/512 need an RSA key`,
    );
  }
  return key;
}

/**
 * Verifies a signed statement (Data 2.6.s5.b3): decodes the JWS, checks the algorithm, checks that its
 * payload is a valid statement equivalent (Data 2.3.1 comparison) to `statement` without its signature
 * attachment, and, when the header has an x5c certificate chain, checks the signature with the first
 * certificate's public key. Throws SignatureVerificationError with the reason.
 */
export function verifyStatementSignature(
  statement: Statement,
  jws: Buffer | string,
  options: { version?: XapiVersion } = {},
): SignatureCheck {
  const text = (typeof jws === 'string' ? jws : jws.toString('latin1')).trim();
  const segments = text.split('.');
  if (segments.length !== 3) {
    throw new SignatureVerificationError(
      'malformed-jws',
      `the signature is not a JWS in compact serialization (found ${segments.length} dot-separated segments, expected 3)`,
    );
  }
  const [headerSegment, payloadSegment, signatureSegment] = segments;
  const header = parseJson(decodeSegment(headerSegment, 'header'), 'header', 'malformed-jws');
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SignatureVerificationError('malformed-jws', 'the JWS header is not a JSON object');
  }
  const { alg, x5c } = header as { alg?: unknown; x5c?: unknown };
  if (typeof alg !== 'string' || HASH_BY_ALGORITHM[alg] === undefined) {
    throw new SignatureVerificationError(
      'unsupported-algorithm',
      `the JWS algorithm must be RS256, RS384 or RS512 (found ${JSON.stringify(alg) ?? 'none'})`,
    );
  }
  const signature = decodeSegment(signatureSegment, 'signature');
  const payload = parseJson(decodeSegment(payloadSegment, 'payload'), 'payload', 'invalid-payload');
  const signed = validateStatement(payload, { version: options.version });
  if (!signed.ok) {
    throw new SignatureVerificationError(
      'invalid-payload',
      `the JWS payload is not a valid statement: ${signed.errors.map((e) => e.message).join('; ')}`,
    );
  }
  const difference = statementDifference(withoutSignature(signed.statement), withoutSignature(statement));
  if (difference !== undefined) {
    throw new SignatureVerificationError(
      'payload-mismatch',
      `the signed statement (JWS payload) differs from the statement sent, at ${difference}`,
    );
  }
  const certificateChecked = x5c !== undefined;
  if (certificateChecked) {
    const key = certificateKey(x5c);
    const ok = verifySignature(
      HASH_BY_ALGORITHM[alg],
      Buffer.from(`${headerSegment}.${payloadSegment}`, 'ascii'),
      key,
      signature,
    );
    if (!ok) {
      throw new SignatureVerificationError(
        'bad-signature',
        `the JWS signature does not verify with the key of its x5c certificate (${alg})`,
      );
    }
  }
  return { algorithm: alg as SignatureCheck['algorithm'], certificateChecked };
}
