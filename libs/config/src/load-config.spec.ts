import { z } from 'zod';
import { ConfigError, envBoolean, envList, envPort, loadConfig } from '@app/config';

const schema = z.object({
  PORT: envPort(8080),
  DEMO: envBoolean(true),
  KAFKA_BROKERS: envList().optional(),
  MODE: z.enum(['embedded', 'kafka']).default('embedded'),
});

describe('loadConfig', () => {
  it('applies defaults and treats empty strings as unset', () => {
    expect(loadConfig(schema, { PORT: '', DEMO: undefined })).toEqual({
      PORT: 8080,
      DEMO: true,
      MODE: 'embedded',
    });
  });

  it('coerces and splits values', () => {
    expect(loadConfig(schema, { PORT: '9000', DEMO: 'off', KAFKA_BROKERS: 'a:1, b:2' })).toEqual({
      PORT: 9000,
      DEMO: false,
      KAFKA_BROKERS: ['a:1', 'b:2'],
      MODE: 'embedded',
    });
  });

  it('lists every problem with the variable name', () => {
    let caught: unknown;
    try {
      loadConfig(schema, { PORT: '70000', DEMO: 'maybe', MODE: 'cloud' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.some((p) => p.startsWith('PORT:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('DEMO:') && p.includes('one of true'))).toBe(true);
    expect(problems.some((p) => p.startsWith('MODE:'))).toBe(true);
  });
});
