import type { z } from 'zod';
import { ContractDecodeError } from './errors';
import { contractOf, type KeyOf, type TopicContract, type ValueOf } from './registry';

// Values travel as UTF-8 JSON; keys as plain UTF-8 strings so partitioning and tooling see the real key.

function validate<T>(topic: string, part: 'key' | 'value', schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw ContractDecodeError.fromZod(topic, part, parsed.error);
  return parsed.data;
}

export function encodeKey<C extends TopicContract<string, string, unknown>>(
  contract: C,
  key: KeyOf<C>,
): Buffer {
  return Buffer.from(validate(contract.name, 'key', contract.key, key), 'utf8');
}

export function encodeValue<C extends TopicContract>(contract: C, value: ValueOf<C>): Buffer {
  return Buffer.from(JSON.stringify(validate(contract.name, 'value', contract.value, value)), 'utf8');
}

export interface EncodedMessage {
  readonly key: Buffer;
  readonly value: Buffer;
}

/** Validates and encodes one message for `contract`'s topic; throws ContractDecodeError naming field and rule. */
export function encodeMessage<C extends TopicContract<string, string, unknown>>(
  contract: C,
  message: { key: KeyOf<C>; value: ValueOf<C> },
): EncodedMessage {
  return { key: encodeKey(contract, message.key), value: encodeValue(contract, message.value) };
}

export function decodeKey<C extends TopicContract<string, string, unknown>>(
  contract: C,
  key: Buffer | string | null | undefined,
): KeyOf<C> {
  if (key === null || key === undefined) {
    throw new ContractDecodeError(contract.name, 'key', [
      { field: '(root)', rule: 'required', message: 'key is missing' },
    ]);
  }
  return validate(contract.name, 'key', contract.key, key.toString()) as KeyOf<C>;
}

export function decodeValue<C extends TopicContract>(
  contract: C,
  value: Buffer | string | null | undefined,
): ValueOf<C> {
  return validate(contract.name, 'value', contract.value, parseJson(contract.name, value)) as ValueOf<C>;
}

/** Decoder by topic name, for transports that only know the name (the bus's default decoder). */
export function decodeValueByTopic(topic: string, value: Buffer | string | null | undefined): unknown {
  return decodeValue(contractOf(topic), value);
}

function parseJson(topic: string, value: Buffer | string | null | undefined): unknown {
  if (value === null || value === undefined) {
    throw new ContractDecodeError(topic, 'value', [
      { field: '(root)', rule: 'required', message: 'value is missing (tombstone)' },
    ]);
  }
  try {
    return JSON.parse(value.toString()) as unknown;
  } catch (error) {
    throw new ContractDecodeError(
      topic,
      'value',
      [
        {
          field: '(root)',
          rule: 'invalid_json',
          message: error instanceof Error ? error.message : String(error),
        },
      ],
      { cause: error },
    );
  }
}
