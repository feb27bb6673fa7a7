import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  checkSignatureAttachment,
  SIGNATURE_USAGE_TYPE,
  SignatureVerificationError,
  verifyStatementSignature,
  withoutSignature,
} from './signature';
import { baseStatement, type JsonObject } from './spec-helpers';
import { parseStatement } from './validate';

const HASH = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' } as const;

function b64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** A compact JWS as RFC 7515 defines it, signed with node:crypto. */
function jws(header: JsonObject, payload: string, key: KeyObject): string {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(payload)}`;
  const alg = header.alg as keyof typeof HASH;
  const signature = sign(HASH[alg] ?? 'sha256', Buffer.from(signingInput), key);
  return `${signingInput}.${b64url(signature)}`;
}

function signatureAttachment(token: string): JsonObject {
  const data = Buffer.from(token);
  return {
    usageType: SIGNATURE_USAGE_TYPE,
    display: { 'en-US': 'signature' },
    contentType: 'application/octet-stream',
    length: data.length,
    sha2: createHash('sha256').update(data).digest('hex'),
  };
}

/** The received statement: the signed one plus the signature attachment. */
function received(signed: JsonObject, token: string) {
  const attachments = [
    ...((signed.attachments as JsonObject[] | undefined) ?? []),
    signatureAttachment(token),
  ];
  return parseStatement({ ...signed, attachments });
}

function failure(run: () => unknown): SignatureVerificationError {
  try {
    run();
  } catch (error) {
    if (error instanceof SignatureVerificationError) return error;
    throw error;
  }
  throw new Error('expected a SignatureVerificationError');
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signed: JsonObject = { ...baseStatement(), id: '9e3c9a2e-8f1b-4b5e-9a51-3c1e6f8d2b10' };

describe('verifyStatementSignature', () => {
  it.each(['RS256', 'RS384', 'RS512'] as const)(
    'accepts a statement signed with %s (no certificate)',
    (alg) => {
      const token = jws({ alg }, JSON.stringify(signed), privateKey);
      expect(verifyStatementSignature(received(signed, token), token)).toEqual({
        algorithm: alg,
        certificateChecked: false,
      });
    },
  );

  it('compares under the statement comparison rules (key order, omitted objectType, display)', () => {
    const reordered = {
      object: signed.object,
      verb: { id: (signed.verb as JsonObject).id },
      actor: signed.actor,
    };
    const token = jws({ alg: 'RS256' }, JSON.stringify(reordered), privateKey);
    expect(() => verifyStatementSignature(received(signed, token), token)).not.toThrow();
  });

  it('keeps the other attachments when comparing', () => {
    const other = {
      usageType: 'http://example.com/usage/essay',
      display: { 'en-US': 'essay' },
      contentType: 'text/plain',
      length: 3,
      sha2: createHash('sha256').update('abc').digest('hex'),
    };
    const withEssay = { ...signed, attachments: [other] };
    const token = jws({ alg: 'RS256' }, JSON.stringify(withEssay), privateKey);
    const statement = received(withEssay, token);
    expect(withoutSignature(statement).attachments).toEqual([other]);
    expect(() => verifyStatementSignature(statement, token)).not.toThrow();
    const unsignedEssay = jws({ alg: 'RS256' }, JSON.stringify(signed), privateKey);
    expect(
      failure(() => verifyStatementSignature(received(withEssay, unsignedEssay), unsignedEssay)).reason,
    ).toBe('payload-mismatch');
  });

  it('refuses a payload that differs from the statement sent, naming where', () => {
    const token = jws({ alg: 'RS256' }, JSON.stringify({ ...signed, result: { success: true } }), privateKey);
    const error = failure(() => verifyStatementSignature(received(signed, token), token));
    expect(error.reason).toBe('payload-mismatch');
    expect(error.message).toMatch(/differs .* at result/);
  });

  it('refuses algorithms other than RS256/384/512 (HS256, none)', () => {
    const hs = `${b64url('{"alg":"HS256"}')}.${b64url(JSON.stringify(signed))}.${b64url('mac')}`;
    expect(failure(() => verifyStatementSignature(received(signed, hs), hs)).reason).toBe(
      'unsupported-algorithm',
    );
    const none = `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify(signed))}.`;
    expect(failure(() => verifyStatementSignature(received(signed, none), none)).reason).toBe(
      'unsupported-algorithm',
    );
  });

  it.each([
    ['two segments', 'abc.def'],
    ['a header that is not JSON', `${b64url('{alg')}.${b64url('{}')}.${b64url('s')}`],
    ['a segment that is not base64url', `${b64url('{"alg":"RS256"}')}.a+b.${b64url('s')}`],
    ['an empty signature', `${b64url('{"alg":"RS256"}')}.${b64url('{}')}.`],
  ])('refuses a malformed JWS: %s', (_name, token) => {
    expect(failure(() => verifyStatementSignature(received(signed, token), token)).reason).toBe(
      'malformed-jws',
    );
  });

  it('refuses a payload that is not JSON (the ADL suite breaks a quote) or not a statement', () => {
    const broken = jws({ alg: 'RS256' }, JSON.stringify(signed).replace('"', "'"), privateKey);
    expect(failure(() => verifyStatementSignature(received(signed, broken), broken)).reason).toBe(
      'invalid-payload',
    );
    const notStatement = jws({ alg: 'RS256' }, '{"actor":1}', privateKey);
    expect(failure(() => verifyStatementSignature(received(signed, notStatement), notStatement)).reason).toBe(
      'invalid-payload',
    );
  });

  it('refuses a signature attachment whose contentType is not application/octet-stream', () => {
    const attachment = parseStatement({
      ...signed,
      attachments: [{ ...signatureAttachment('x'), contentType: 'text/plain; charset=ascii' }],
    }).attachments![0];
    expect(failure(() => checkSignatureAttachment(attachment)).reason).toBe('wrong-content-type');
  });

  describe('with an x5c certificate', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xapi-sig-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-subj',
        '/CN=xapi signer',
        '-days',
        '1',
      ],
      { stdio: 'ignore' },
    );
    const certKey = createPrivateKey(readFileSync(keyFile));
    const der = readFileSync(certFile, 'utf8').replace(/-----[A-Z ]+-----|\s/g, '');

    it('verifies the signature with the certificate key', () => {
      const token = jws({ alg: 'RS512', x5c: [der] }, JSON.stringify(signed), certKey);
      expect(verifyStatementSignature(received(signed, token), token)).toEqual({
        algorithm: 'RS512',
        certificateChecked: true,
      });
    });

    it('refuses a signature made with another key', () => {
      const token = jws({ alg: 'RS256', x5c: [der] }, JSON.stringify(signed), privateKey);
      const error = failure(() => verifyStatementSignature(received(signed, token), token));
      expect(error.reason).toBe('bad-signature');
    });

    it('refuses a tampered payload even when the rest is intact', () => {
      const token = jws({ alg: 'RS256', x5c: [der] }, JSON.stringify(signed), certKey);
      const [h, , s] = token.split('.');
      const tampered = `${h}.${b64url(JSON.stringify({ ...signed, result: { success: false } }))}.${s}`;
      const statement = received({ ...signed, result: { success: false } }, tampered);
      expect(failure(() => verifyStatementSignature(statement, tampered)).reason).toBe('bad-signature');
    });

    it('refuses an x5c that is not a certificate', () => {
      const token = jws({ alg: 'RS256', x5c: ['bm90IGEgY2VydA=='] }, JSON.stringify(signed), certKey);
      expect(failure(() => verifyStatementSignature(received(signed, token), token)).reason).toBe(
        'bad-certificate',
      );
    });
  });
});
