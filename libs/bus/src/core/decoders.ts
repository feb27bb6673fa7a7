import { decodeValueByTopic } from '@app/contracts';
import type { MessageDecoder } from './ports';

/** Validates against the topic's contract in @app/contracts (the default for both transports). */
export const contractDecoder: MessageDecoder = (topic, value) => decodeValueByTopic(topic, value);

/** Plain JSON, no contract: for topics outside the registry (tests, tools). */
export const jsonDecoder: MessageDecoder = (_topic, value) => {
  if (value === null) throw new SyntaxError('message has no value');
  return JSON.parse(value.toString('utf8')) as unknown;
};

/** Hands the bytes through untouched. */
export const bufferDecoder: MessageDecoder = (_topic, value) => value;
