import { ConfigError, loadConfig } from '@app/config';
import { kafkaEnvSchema, kafkaSettingsFromEnv } from './kafka-env';

describe('kafka environment section', () => {
  it('applies defaults and maps to adapter options', () => {
    const env = loadConfig(kafkaEnvSchema, {
      KAFKA_BROKERS: 'a:9092, b:9092',
      KAFKA_PRODUCER_COMPRESSION: 'gzip',
    });
    const settings = kafkaSettingsFromEnv(env, 'enricher');
    expect(settings.client).toEqual({ brokers: ['a:9092', 'b:9092'], clientId: 'enricher' });
    expect(settings.producer).toMatchObject({ lingerMs: 5, compression: 'gzip' });
    expect(settings.retry).toEqual({ initialDelayMs: 200, maxDelayMs: 30_000 });
  });

  it('fails at start-up without brokers or with a bad knob', () => {
    expect(() => loadConfig(kafkaEnvSchema, {})).toThrow(ConfigError);
    expect(() =>
      loadConfig(kafkaEnvSchema, { KAFKA_BROKERS: 'a:1', KAFKA_PRODUCER_COMPRESSION: 'lz4' }),
    ).toThrow(/KAFKA_PRODUCER_COMPRESSION/);
  });
});
