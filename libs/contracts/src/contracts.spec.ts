import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  ContractDecodeError,
  decodeDlqHeaders,
  decodeKey,
  decodeValue,
  decodeValueByTopic,
  DLQ_HEADERS,
  dlqTopicOf,
  encodeDlqHeaders,
  encodeMessage,
  encodeValue,
  topicContracts,
  topicDeclarations,
  topics,
  UnknownTopicError,
  type EnrichedStatementValue,
  type ReceivedStatementValue,
} from './index';

const received: ReceivedStatementValue = {
  statement: {
    id: '9e3b5e0a-6a0f-4c39-8a3a-2f9cba1f2d10',
    verb: { id: 'http://adlnet.gov/expapi/verbs/attended' },
  },
  receivedAt: '2026-11-28T08:15:00.000Z',
  source: { type: 'kiosk', credentialKey: 'kiosk-lp-017', boundLearningPointId: 'lp-017' },
  requestId: 'req-1',
};

const enriched: EnrichedStatementValue = {
  ...received,
  enrichment: {
    learnerId: 'L000123',
    learnerKnown: true,
    learningPointId: 'lp-017',
    schoolId: 'school-03',
    townId: 'town-07',
    region: 'west',
    ageBand: '70-79',
    gender: 'female',
    skillId: 'computer-basics',
    homeTownId: 'town-07',
    verbCategory: 'attended',
    attribution: 'credential',
  },
};

function decodeErrorOf(run: () => unknown): ContractDecodeError {
  try {
    run();
  } catch (error) {
    if (error instanceof ContractDecodeError) return error;
    throw error;
  }
  throw new Error('expected a ContractDecodeError');
}

describe('topic registry', () => {
  it('names every topic by the <domain>.<entity>.<event>.v<n> rule, once', () => {
    const names = topicContracts.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z]+\.[a-z]+\.[a-z]+\.v\d+$/);
    expect(names).toEqual(
      expect.arrayContaining([
        'xapi.statements.received.v1',
        'xapi.statements.enriched.v1',
        'registry.learners.changed.v1',
      ]),
    );
  });

  it('gives every topic a dead-letter topic named <topic>.dlq', () => {
    expect(topics.statementsReceived.dlq.name).toBe('xapi.statements.received.v1.dlq');
    for (const c of topicContracts) expect(c.dlq.name).toBe(dlqTopicOf(c.name));
  });

  it('declares main and dlq topics with default partition counts, overridable per topic', () => {
    const declared = topicDeclarations({ partitions: { 'xapi.statements.received.v1': 12 } });
    expect(declared).toHaveLength(topicContracts.length * 2);
    const byName = new Map(declared.map((d) => [d.name, d.partitions]));
    expect(byName.get('xapi.statements.received.v1')).toBe(12);
    expect(byName.get('xapi.statements.enriched.v1')).toBe(6);
    expect(byName.get('xapi.statements.enriched.v1.dlq')).toBe(3);
  });

  it('refuses partition overrides for unknown topics or non-positive counts', () => {
    expect(() => topicDeclarations({ partitions: { 'xapi.statements.recieved.v1': 3 } })).toThrow(
      UnknownTopicError,
    );
    expect(() => topicDeclarations({ partitions: { 'xapi.statements.received.v1': 0 } })).toThrow(RangeError);
  });
});

describe('message codec', () => {
  it('round-trips a received statement through bytes', () => {
    const encoded = encodeMessage(topics.statementsReceived, {
      key: 'mbox:mailto:a@example.org',
      value: received,
    });
    expect(encoded.key.toString()).toBe('mbox:mailto:a@example.org');
    expect(decodeKey(topics.statementsReceived, encoded.key)).toBe('mbox:mailto:a@example.org');
    expect(decodeValue(topics.statementsReceived, encoded.value)).toEqual(received);
  });

  it('round-trips an enriched statement, and decodes by topic name', () => {
    const bytes = encodeValue(topics.statementsEnriched, enriched);
    expect(decodeValueByTopic('xapi.statements.enriched.v1', bytes)).toEqual(enriched);
  });

  it('names the field and the rule when a value breaks the contract', () => {
    const bad = { ...received, receivedAt: 'yesterday', source: { ...received.source, type: 'fax' } };
    const error = decodeErrorOf(() =>
      decodeValue(topics.statementsReceived, Buffer.from(JSON.stringify(bad))),
    );
    expect(error.topic).toBe('xapi.statements.received.v1');
    expect(error.part).toBe('value');
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'receivedAt', rule: 'invalid_format' }),
        expect.objectContaining({ field: 'source.type', rule: 'invalid_value' }),
      ]),
    );
    expect(error.message).toContain('source.type');
  });

  it('refuses to encode an invalid message (the producer side validates too)', () => {
    const bad = {
      ...enriched,
      enrichment: { ...enriched.enrichment, ageBand: '60+' },
    } as unknown as EnrichedStatementValue;
    const error = decodeErrorOf(() => encodeValue(topics.statementsEnriched, bad));
    expect(error.issues[0]).toMatchObject({ field: 'enrichment.ageBand', rule: 'invalid_value' });
  });

  it('reports bytes that are not JSON, tombstones and missing keys as decode errors', () => {
    expect(
      decodeErrorOf(() => decodeValue(topics.statementsReceived, Buffer.from('{nope'))).issues[0].rule,
    ).toBe('invalid_json');
    expect(decodeErrorOf(() => decodeValue(topics.statementsReceived, null)).issues[0].rule).toBe('required');
    expect(decodeErrorOf(() => decodeKey(topics.statementsReceived, null)).part).toBe('key');
    expect(decodeErrorOf(() => decodeKey(topics.statementsReceived, Buffer.alloc(0))).issues[0].rule).toBe(
      'too_small',
    );
  });

  it('refuses an unknown topic name', () => {
    expect(() => decodeValueByTopic('xapi.statements.voided.v1', Buffer.from('{}'))).toThrow(
      UnknownTopicError,
    );
  });
});

describe('dead-letter headers', () => {
  const metadata = {
    reason: 'enrichment: unknown learning point lp-999',
    errorClass: 'PoisonMessageError',
    sourceTopic: 'xapi.statements.received.v1',
    sourcePartition: '4',
    sourceOffset: '1234567',
    failedAt: '2026-11-28T09:00:00.000Z',
    consumerGroup: 'enricher',
  };

  it('encodes to x-dlq-* headers and decodes them back from Buffers', () => {
    const headers = encodeDlqHeaders(metadata);
    expect(headers[DLQ_HEADERS.sourceOffset]).toBe('1234567');
    const asBuffers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));
    expect(decodeDlqHeaders(asBuffers)).toEqual(metadata);
  });

  it('reports a missing header by its field', () => {
    const headers: Record<string, string> = encodeDlqHeaders(metadata);
    delete headers[DLQ_HEADERS.consumerGroup];
    expect(decodeErrorOf(() => decodeDlqHeaders(headers)).issues[0]).toMatchObject({
      field: 'consumerGroup',
    });
  });
});

describe('conventions', () => {
  // The registry is the single source of truth: a topic name spelled anywhere else is drift waiting to happen.
  it('spells topic names only inside libs/contracts', () => {
    const root = join(__dirname, '..', '..', '..');
    const names = topicContracts.map((c) => c.name);
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir)) {
        if (entry === 'node_modules' || entry === 'dist' || entry === 'data' || entry.startsWith('.'))
          continue;
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) {
          const text = readFileSync(path, 'utf8');
          for (const name of names)
            if (text.includes(`'${name}`) || text.includes(`"${name}`)) offenders.push(relative(root, path));
        }
      }
    };
    for (const top of ['apps', 'libs', 'test', 'bench', 'dashboards', 'scripts']) {
      const dir = join(root, top);
      if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) walk(dir);
    }
    expect(offenders.filter((path) => !path.startsWith(join('libs', 'contracts')))).toEqual([]);
  });
});
