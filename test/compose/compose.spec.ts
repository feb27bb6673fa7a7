import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import { loadConfig } from '@app/config';
import { parseCliArgs } from '@app/simulator';
import { enricherEnvSchema } from '../../apps/enricher/src/enricher.config';
import { gatewayEnvSchema } from '../../apps/gateway/src/gateway.config';
import { insightsAppEnvSchema } from '../../apps/insights/src/insights.config';
import { sinkEnvSchema } from '../../apps/sink/src/sink.config';
import {
  appOf,
  dependencies,
  dockerfileContextSources,
  healthcheckTest,
  interpolate,
  isDockerIgnored,
  isRecord,
  loadComposeFile,
  publishedPorts,
  serviceCommand,
  serviceEnvironment,
  serviceMounts,
  type ComposeService,
  type Variables,
} from './compose-file';

const repoRoot = path.resolve(__dirname, '..', '..');
const compose = loadComposeFile(path.join(repoRoot, 'docker-compose.yml'));
/** What `docker compose up` sees in a shell that sets nothing: every `${VAR:-default}` takes its default. */
const cleanShell: Variables = {};

/** The environment schema of every app a service may run; `null`: configured by arguments, not environment. */
const appSchemas: Record<string, z.ZodType | null> = {
  gateway: gatewayEnvSchema,
  enricher: enricherEnvSchema,
  sink: sinkEnvSchema,
  insights: insightsAppEnvSchema,
  simulator: null,
};

const service = (name: string): ComposeService => {
  const found = compose.services.find((s) => s.name === name);
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
const env = (s: ComposeService) => serviceEnvironment(s, cleanShell);
const isOneShot = (s: ComposeService) => s.raw.restart === 'no';
const ourServices = compose.services.filter((s) => appOf(s, cleanShell) !== undefined);
const configuredServices = ourServices.filter((s) => appSchemas[appOf(s, cleanShell) ?? ''] !== null);

/** The validated config of a service of ours, exactly as its main.ts would load it at start. */
function configOf(s: ComposeService): Record<string, unknown> {
  const schema = appSchemas[appOf(s, cleanShell) ?? ''];
  if (!schema) throw new Error(`service ${s.name} runs no app with an environment schema`);
  return loadConfig(schema, env(s)) as Record<string, unknown>;
}

describe('compose-file helpers', () => {
  it('interpolates like docker compose', () => {
    const vars = { SET: 'x', EMPTY: '' };
    expect(interpolate('${SET:-d} ${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} ${UNSET-d}', vars)).toBe('x d d  d');
    expect(interpolate('$SET ${SET} ${UNSET} $$HOME $${SET}', vars)).toBe('x x  $HOME ${SET}');
    expect(interpolate('${SET:?needed}', vars)).toBe('x');
    expect(() => interpolate('${UNSET:?set UNSET first}', vars)).toThrow('set UNSET first');
  });

  it('reads published ports in short and long syntax', () => {
    const s: ComposeService = {
      name: 'x',
      raw: { ports: ['8080:80', '127.0.0.1:9000:9000/udp', '3000', { target: 81, published: '${P:-8081}' }] },
    };
    expect(publishedPorts(s, {})).toEqual([
      { hostIp: undefined, hostPort: 8080, containerPort: 80, protocol: 'tcp' },
      { hostIp: '127.0.0.1', hostPort: 9000, containerPort: 9000, protocol: 'udp' },
      { hostIp: undefined, hostPort: 8081, containerPort: 81, protocol: 'tcp' },
    ]);
  });

  it('tells bind mounts from named volumes', () => {
    const s: ComposeService = { name: 'x', raw: { volumes: ['./a/b:/x:ro', 'data:/var/data'] } };
    expect(serviceMounts(s, '/repo', {})).toEqual([
      { type: 'bind', source: '/repo/a/b', target: '/x' },
      { type: 'volume', source: 'data', target: '/var/data' },
    ]);
  });

  it('matches .dockerignore patterns the way Docker anchors them', () => {
    const ignore = 'data\n**/node_modules\n*.log\nlibs/*/tmp\n!libs/keep/tmp\n# data2';
    expect(isDockerIgnored('data/x.db', ignore)).toBe(true);
    expect(isDockerIgnored('libs/reference/data/towns.csv', ignore)).toBe(false);
    expect(isDockerIgnored('libs/a/node_modules/x.js', ignore)).toBe(true);
    expect(isDockerIgnored('node_modules', ignore)).toBe(true);
    expect(isDockerIgnored('server.log', ignore)).toBe(true);
    expect(isDockerIgnored('libs/a/tmp/f', ignore)).toBe(true);
    expect(isDockerIgnored('libs/keep/tmp/f', ignore)).toBe(false);
    expect(isDockerIgnored('data2', ignore)).toBe(false);
  });

  it('finds the build-context sources of COPY, not those of other stages', () => {
    const dockerfile =
      'FROM a AS b\nCOPY package.json \\\n  package-lock.json ./\nCOPY --from=b /x /y\nCOPY --chown=1 libs ./libs\n';
    expect(dockerfileContextSources(dockerfile)).toEqual(['package.json', 'package-lock.json', 'libs']);
  });
});

describe('docker-compose.yml', () => {
  it('defines the pipeline: Kafka, ClickHouse, Grafana, sink, enricher and two gateways', () => {
    const names = compose.services.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['kafka', 'clickhouse', 'grafana', 'sink', 'enricher']));
    const apps = ourServices.filter((s) => !isOneShot(s)).map((s) => appOf(s, cleanShell));
    expect(apps.filter((app) => app === 'gateway')).toHaveLength(2);
    expect(apps).toEqual(expect.arrayContaining(['sink', 'enricher']));
  });

  it('gives every service an image or a build', () => {
    for (const s of compose.services) {
      expect({
        service: s.name,
        hasImageOrBuild: s.raw.image !== undefined || s.raw.build !== undefined,
      }).toEqual({
        service: s.name,
        hasImageOrBuild: true,
      });
    }
  });

  it('builds from contexts and Dockerfiles that exist', () => {
    const built = compose.services.filter((s) => s.raw.build !== undefined);
    expect(built.length).toBeGreaterThan(0);
    for (const s of built) {
      const build = s.raw.build;
      const context =
        typeof build === 'string' ? build : String((build as { context?: unknown }).context ?? '.');
      const dockerfile =
        typeof build === 'object' && build !== null && 'dockerfile' in build
          ? String(build.dockerfile)
          : 'Dockerfile';
      const contextDir = path.resolve(compose.dir, context);
      expect({
        service: s.name,
        context: existsSync(contextDir) && statSync(contextDir).isDirectory(),
      }).toEqual({
        service: s.name,
        context: true,
      });
      expect({ service: s.name, dockerfile: existsSync(path.resolve(contextDir, dockerfile)) }).toEqual({
        service: s.name,
        dockerfile: true,
      });
    }
  });

  it('copies into the image only files that exist and that .dockerignore lets through', () => {
    const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    const dockerignore = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8');
    const sources = dockerfileContextSources(dockerfile);
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'apps', 'libs']));
    // Read at run time from beside the code: reference data and the warehouse migrations.
    const needed = [
      ...sources,
      'libs/reference/data/towns.csv',
      'libs/warehouse/src/migrations/0001_statements.sql',
    ];
    for (const source of needed) {
      expect({ source, exists: existsSync(path.join(repoRoot, source)) }).toEqual({ source, exists: true });
      expect({ source, ignored: isDockerIgnored(source, dockerignore) }).toEqual({ source, ignored: false });
    }
  });

  it('runs every service of ours on the image built from this repository', () => {
    expect(ourServices.length).toBeGreaterThan(0);
    for (const s of ourServices) {
      expect({ service: s.name, build: s.raw.build !== undefined }).toEqual({ service: s.name, build: true });
      const command = serviceCommand(s, cleanShell);
      expect(command.slice(0, 3)).toEqual(['node', '-r', '@swc-node/register']);
      const app = appOf(s, cleanShell) ?? '';
      expect({ service: s.name, app, known: app in appSchemas }).toEqual({
        service: s.name,
        app,
        known: true,
      });
      expect(existsSync(path.join(repoRoot, 'apps', app, 'src', 'main.ts'))).toBe(true);
    }
  });

  it.each(configuredServices.map((s) => [s.name, s] as const))(
    '%s sets everything its config schema requires (loadConfig accepts it)',
    (_name, s) => {
      expect(() => configOf(s)).not.toThrow();
    },
  );

  it('lets exactly one service migrate the warehouse: the sink', () => {
    const migrating = configuredServices.filter((s) => configOf(s).WAREHOUSE_MIGRATE === true);
    expect(migrating.map((s) => appOf(s, cleanShell))).toEqual(['sink']);
  });

  it('points every service of ours at the Kafka and ClickHouse defined here, with ClickHouse’s own credentials', () => {
    const clickhouse = env(service('clickhouse'));
    const names = new Set(compose.services.map((s) => s.name));
    for (const s of configuredServices) {
      const config = configOf(s);
      expect(config.WAREHOUSE).toBe('clickhouse');
      const brokers = config.KAFKA_BROKERS as string[];
      for (const broker of brokers) expect(names.has(broker.split(':')[0])).toBe(true);
      const url = new URL(String(config.CLICKHOUSE_URL));
      expect(names.has(url.hostname)).toBe(true);
      expect(url.port).toBe('8123');
      expect({
        service: s.name,
        user: config.CLICKHOUSE_USER,
        password: config.CLICKHOUSE_PASSWORD,
        database: config.CLICKHOUSE_DATABASE,
      }).toEqual({
        service: s.name,
        user: clickhouse.CLICKHOUSE_USER,
        password: clickhouse.CLICKHOUSE_PASSWORD,
        database: clickhouse.CLICKHOUSE_DB,
      });
    }
  });

  it('starts Kafka in KRaft mode with automatic topic creation off', () => {
    const kafka = env(service('kafka'));
    expect(kafka.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(kafka.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    // The services' bootstrap address must be one the broker listens on and advertises.
    expect(kafka.KAFKA_ADVERTISED_LISTENERS.split(',')).toContain('PLAINTEXT://kafka:9092');
  });

  it('publishes each host port once', () => {
    const seen = new Map<string, string>();
    for (const s of compose.services) {
      for (const port of publishedPorts(s, cleanShell)) {
        const key = `${port.hostPort}/${port.protocol}`;
        expect({ port: key, alreadyUsedBy: seen.get(key) }).toEqual({ port: key, alreadyUsedBy: undefined });
        seen.set(key, s.name);
      }
    }
    expect(seen.size).toBeGreaterThan(0);
  });

  it('publishes the port each app listens on (its PORT)', () => {
    for (const s of configuredServices) {
      const port = configOf(s).PORT;
      for (const published of publishedPorts(s, cleanShell)) {
        expect({ service: s.name, containerPort: published.containerPort }).toEqual({
          service: s.name,
          containerPort: port,
        });
      }
    }
  });

  it('bind-mounts only host paths that exist in the repository, and declares its named volumes', () => {
    for (const s of compose.services) {
      for (const mount of serviceMounts(s, compose.dir, cleanShell)) {
        if (mount.type === 'bind') {
          expect(mount.source.startsWith(repoRoot + path.sep)).toBe(true);
          expect({
            service: s.name,
            path: path.relative(repoRoot, mount.source),
            exists: existsSync(mount.source),
          }).toEqual({
            service: s.name,
            path: path.relative(repoRoot, mount.source),
            exists: true,
          });
        } else {
          expect(compose.volumes).toContain(mount.source);
        }
      }
    }
  });

  it('gives every long-running service a healthcheck', () => {
    for (const s of compose.services.filter((x) => !isOneShot(x))) {
      const test = healthcheckTest(s);
      expect({
        service: s.name,
        hasHealthcheck: test !== undefined && ['CMD', 'CMD-SHELL'].includes(test[0]),
      }).toEqual({
        service: s.name,
        hasHealthcheck: true,
      });
    }
  });

  it('depends only on defined services, and waits for health only where there is a healthcheck', () => {
    const byName = new Map(compose.services.map((s) => [s.name, s]));
    for (const s of compose.services) {
      for (const dependency of dependencies(s)) {
        const target = byName.get(dependency.name);
        expect({ service: s.name, dependsOn: dependency.name, defined: target !== undefined }).toEqual({
          service: s.name,
          dependsOn: dependency.name,
          defined: true,
        });
        if (dependency.condition === 'service_healthy' && target)
          expect(healthcheckTest(target)).toBeDefined();
      }
    }
    // Gateways and the enricher read tables the sink's migrations create.
    for (const s of configuredServices.filter((x) => appOf(x, cleanShell) !== 'sink')) {
      expect(dependencies(s)).toContainEqual({ name: 'sink', condition: 'service_healthy' });
    }
  });

  it('gives the demo simulator arguments its CLI accepts, aimed at a gateway with the gateway’s credential', () => {
    const simulators = ourServices.filter((s) => appOf(s, cleanShell) === 'simulator');
    for (const s of simulators) {
      const command = serviceCommand(s, cleanShell);
      const options = parseCliArgs(command.slice(command.indexOf('apps/simulator/src/main.ts') + 1));
      const target = new URL(options.target);
      const gateway = service(target.hostname);
      expect(appOf(gateway, cleanShell)).toBe('gateway');
      expect(Number(target.port)).toBe(configOf(gateway).PORT);
      expect(options.user && `${options.user.key}:${options.user.secret}`).toBe(
        configOf(gateway).XAPI_BOOTSTRAP_CREDENTIAL,
      );
      // The gateway hosts the learner registry (it has a warehouse), so the demo registers its learners.
      expect(options.registry).toBe(true);
      expect(configOf(gateway).XAPI_CONFLICT_LOOKUP).toBe('warehouse');
    }
  });
});

describe('the healthcheck of the services of ours', () => {
  let status = 200;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.statusCode = request.url === '/health' ? status : 404;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Runs a service's healthcheck command here with PORT set as in its container; resolves its exit code. */
  function runHealthcheck(s: ComposeService, portValue: number): Promise<number> {
    const test = healthcheckTest(s);
    if (!test || test[0] !== 'CMD' || test[1] !== 'node')
      throw new Error(`${s.name}: expected a CMD node healthcheck`);
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        test.slice(2),
        { env: { PORT: String(portValue) }, timeout: 10_000 },
        (error) => resolve(error ? (typeof error.code === 'number' ? error.code : -1) : 0),
      );
    });
  }

  const longRunning = configuredServices.filter((s) => !isOneShot(s));

  it.each(longRunning.map((s) => [s.name, s] as const))(
    '%s: healthy on 200, unhealthy on 503 or no listener',
    async (_name, s) => {
      status = 200;
      expect(await runHealthcheck(s, port)).toBe(0);
      status = 503;
      expect(await runHealthcheck(s, port)).not.toBe(0);
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const closedPort = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      expect(await runHealthcheck(s, closedPort)).not.toBe(0);
    },
  );
});

describe('infra/clickhouse: the read-only user for Grafana', () => {
  const xml = readFileSync(path.join(repoRoot, 'infra/clickhouse/users.d/grafana.xml'), 'utf8');
  const clickhouse = env(service('clickhouse'));

  it('is mounted into the server’s users.d', () => {
    const mounts = serviceMounts(service('clickhouse'), compose.dir, cleanShell);
    expect(mounts).toContainEqual({
      type: 'bind',
      source: path.join(repoRoot, 'infra/clickhouse/users.d/grafana.xml'),
      target: '/etc/clickhouse-server/users.d/grafana.xml',
    });
  });

  it('may only SELECT, from the database the services write', () => {
    const grants = [...xml.matchAll(/<query>([^<]*)<\/query>/g)].map((m) => m[1].trim());
    expect(grants).toEqual([`GRANT SELECT ON ${clickhouse.CLICKHOUSE_DB}.*`]);
    expect(xml).toMatch(/<readonly>[12]<\/readonly>/);
    expect(xml).toContain('<access_management>0</access_management>');
  });

  it('takes its password from a variable the ClickHouse service sets, the one Grafana is given', () => {
    const variable = /<password from_env="([A-Z0-9_]+)"\s*\/>/.exec(xml)?.[1];
    expect(variable).toBeDefined();
    const password = clickhouse[variable ?? ''];
    expect(password).toBeTruthy();
    expect(Object.values(env(service('grafana')))).toContain(password);
  });
});

describe('Grafana', () => {
  const grafana = service('grafana');
  const grafanaEnv = env(grafana);
  const mounts = serviceMounts(grafana, compose.dir, cleanShell);
  const provisioning = (kind: string) => path.join(repoRoot, 'dashboards/provisioning', kind);
  /** Provisioning files as Grafana reads them: `$VAR` expanded from the container's environment. */
  const readProvisioning = (kind: string): Record<string, unknown>[] => {
    const dir = provisioning(kind);
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : [];
    return files.map((f) => {
      const document: unknown = parse(interpolate(readFileSync(path.join(dir, f), 'utf8'), grafanaEnv));
      if (!isRecord(document)) throw new Error(`${kind}/${f}: not a mapping`);
      return document;
    });
  };
  const entries = (documents: Record<string, unknown>[], key: string): Record<string, unknown>[] =>
    documents.flatMap((d) => (Array.isArray(d[key]) ? d[key] : [])).filter(isRecord);
  const datasources = entries(readProvisioning('datasources'), 'datasources');

  it('installs the ClickHouse datasource plugin', () => {
    expect(grafanaEnv.GF_INSTALL_PLUGINS.split(',')).toContain('grafana-clickhouse-datasource');
  });

  it('mounts the provisioning folders', () => {
    const pairs = mounts.map((m) => [path.relative(repoRoot, m.source), m.target]);
    expect(pairs).toEqual(
      expect.arrayContaining([
        ['dashboards/provisioning/datasources', '/etc/grafana/provisioning/datasources'],
        ['dashboards/provisioning/dashboards', '/etc/grafana/provisioning/dashboards'],
      ]),
    );
  });

  it('mounts dashboards/generated where the dashboard provider looks', () => {
    const providers = entries(readProvisioning('dashboards'), 'providers');
    expect(providers.length).toBeGreaterThan(0);
    const generated = path.join(repoRoot, 'dashboards/generated');
    for (const provider of providers) {
      const options = isRecord(provider.options) ? provider.options : {};
      const providerPath = String(options.path);
      const mount = mounts.find((m) => providerPath === m.target || providerPath.startsWith(`${m.target}/`));
      expect({ providerPath, mountedFrom: mount && path.relative(repoRoot, mount.source) }).toEqual({
        providerPath,
        mountedFrom: 'dashboards/generated',
      });
    }
    expect(readdirSync(generated).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0);
  });

  it('provisions every datasource the generated dashboards use', () => {
    const provisioned = new Set(datasources.map((d) => String(d.uid)));
    const used = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (isRecord(node)) {
        const ref = node.datasource;
        // `$name` is a dashboard variable; `grafana` / `-- ... --` are Grafana's built-in datasources.
        if (isRecord(ref) && typeof ref.uid === 'string' && !/^(\$|grafana$|-- )/.test(ref.uid))
          used.add(ref.uid);
        Object.values(node).forEach(walk);
      }
    };
    const generated = path.join(repoRoot, 'dashboards/generated');
    for (const file of readdirSync(generated).filter((f) => f.endsWith('.json'))) {
      walk(JSON.parse(readFileSync(path.join(generated, file), 'utf8')));
    }
    expect(used.size).toBeGreaterThan(0);
    expect([...used].filter((uid) => !provisioned.has(uid))).toEqual([]);
  });

  it('reaches ClickHouse as the read-only user, in the database the services write', () => {
    const xml = readFileSync(path.join(repoRoot, 'infra/clickhouse/users.d/grafana.xml'), 'utf8');
    const clickhouse = env(service('clickhouse'));
    const passwordVariable = /<password from_env="([A-Z0-9_]+)"\s*\/>/.exec(xml)?.[1] ?? '';
    const sources = datasources.filter((d) => d.type === 'grafana-clickhouse-datasource');
    expect(sources).toHaveLength(1);
    const jsonData = isRecord(sources[0].jsonData) ? sources[0].jsonData : {};
    const secure = isRecord(sources[0].secureJsonData) ? sources[0].secureJsonData : {};
    const protocol = String(jsonData.protocol ?? 'native');
    expect({
      host: jsonData.host,
      port: String(jsonData.port),
      username: jsonData.username,
      password: secure.password,
      database: jsonData.defaultDatabase,
    }).toEqual({
      host: 'clickhouse',
      port: protocol === 'http' ? '8123' : '9000',
      username: /<users>\s*<([a-z_]+)>/.exec(xml)?.[1],
      password: clickhouse[passwordVariable],
      database: clickhouse.CLICKHOUSE_DB,
    });
  });

  it('reaches a Prometheus service defined here', () => {
    const sources = datasources.filter((d) => d.type === 'prometheus');
    for (const source of sources) {
      const url = new URL(String(source.url));
      const target = service(url.hostname);
      expect(publishedPorts(target, cleanShell).map((p) => p.containerPort)).toContain(Number(url.port));
    }
  });
});

describe('Prometheus', () => {
  it('scrapes every long-running service of ours at its PORT, and nothing else', () => {
    const prometheus = service('prometheus');
    const configs = Array.isArray(prometheus.raw.configs) ? prometheus.raw.configs.filter(isRecord) : [];
    const mounted = configs.find((c) => c.target === '/etc/prometheus/prometheus.yml');
    const definition = compose.configs[String(mounted?.source)];
    expect(isRecord(definition) && typeof definition.content === 'string').toBe(true);
    const config: unknown = parse(
      interpolate(String(isRecord(definition) ? definition.content : ''), cleanShell),
    );
    const jobs =
      isRecord(config) && Array.isArray(config.scrape_configs) ? config.scrape_configs.filter(isRecord) : [];
    const targets = jobs.flatMap((job) =>
      (Array.isArray(job.static_configs) ? job.static_configs.filter(isRecord) : []).flatMap((c) =>
        Array.isArray(c.targets) ? c.targets.map(String) : [],
      ),
    );
    const expected = configuredServices
      .filter((s) => !isOneShot(s))
      .map((s) => `${s.name}:${configOf(s).PORT}`);
    expect([...targets].sort()).toEqual([...expected].sort());
  });
});
