import type { StandaloneEnv } from './standalone.config';

/** What `npm start` prints once it listens: where things are, a credential, and a statement to try. */
export function startBanner(options: {
  env: StandaloneEnv;
  url: string;
  credential?: { key: string; secret: string; generated: boolean };
}): string {
  const { env, url, credential } = options;
  const mode =
    env.TRANSPORT === 'kafka'
      ? `Kafka at ${(env.KAFKA_BROKERS ?? []).join(',')}`
      : 'embedded: in-process bus';
  const store = env.WAREHOUSE === 'chdb' ? `chdb in ${env.DATA_DIR}` : `ClickHouse at ${env.CLICKHOUSE_URL}`;
  const lines = [
    '',
    '九龙坡社区数字化学习分析 · Jiulongpo xAPI learning analytics',
    `  dashboards ${url}/   (仪表盘 in the browser; sign in ${credential ? `as ${credential.key} with the secret below` : 'with a credential that has dashboards/read'})`,
    `  mode       ${mode}; ${store}`,
    `  xAPI       ${url}/xapi/statements   (X-Experience-API-Version: 1.0.3)`,
    `  attendance ${url}/xapi/classroom/attendance   (text/csv)`,
    `  registry   ${url}/registry/learners/{id}`,
    `  research   ${url}/research/docs   (own credentials: RESEARCH_BOOTSTRAP_CREDENTIAL or RESEARCH_CREDENTIALS_FILE)`,
    `  health     ${url}/health      metrics ${url}/metrics`,
  ];
  if (credential) {
    const user = `${credential.key}:${credential.secret}`;
    lines.push(
      `  credential ${user}   (scope all${credential.generated ? '; made up for this run: set XAPI_BOOTSTRAP_CREDENTIAL or CREDENTIALS_FILE to keep one' : ''})`,
      '',
      '  try:',
      `  curl -u '${user}' -H 'X-Experience-API-Version: 1.0.3' -H 'Content-Type: application/json' \\`,
      `    -d '{"actor":{"mbox":"mailto:resident@example.org"},"verb":{"id":"http://adlnet.gov/expapi/verbs/attended","display":{"zh-CN":"参加"}},"object":{"id":"https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/1"}}' \\`,
      `    ${url}/xapi/statements`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
