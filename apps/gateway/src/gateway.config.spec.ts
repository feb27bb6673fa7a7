import { ConfigError, loadConfig } from '@app/config';
import { gatewayEnvSchema } from './gateway.config';

describe('gateway configuration', () => {
  it('has defaults for every knob but the brokers and a credential source', () => {
    const config = loadConfig(gatewayEnvSchema, {
      KAFKA_BROKERS: '127.0.0.1:9092',
      CREDENTIALS_FILE: '/etc/xapi/credentials.json',
    });
    expect(config).toMatchObject({
      PORT: 8080,
      XAPI_BODY_LIMIT_BYTES: 10 * 1024 * 1024,
      XAPI_RATE_LIMIT_PER_SECOND: 1000,
      XAPI_BOOTSTRAP_SOURCE: 'partner',
      XAPI_CONFLICT_LOOKUP: 'warehouse',
      WAREHOUSE: 'clickhouse',
      WAREHOUSE_MIGRATE: false,
      KAFKA_BROKERS: ['127.0.0.1:9092'],
    });
  });

  it('refuses to start without any credential, and with a malformed bootstrap credential', () => {
    expect(() => loadConfig(gatewayEnvSchema, { KAFKA_BROKERS: 'k:9092' })).toThrow(/CREDENTIALS_FILE: set/);
    const error = (() => {
      try {
        return loadConfig(gatewayEnvSchema, {
          KAFKA_BROKERS: 'k:9092',
          XAPI_BOOTSTRAP_CREDENTIAL: 'no-secret',
          XAPI_RATE_LIMIT_PER_SECOND: '0',
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^XAPI_BOOTSTRAP_CREDENTIAL: must be key:secret/),
      expect.stringMatching(/^XAPI_RATE_LIMIT_PER_SECOND:/),
    ]);
  });
});
