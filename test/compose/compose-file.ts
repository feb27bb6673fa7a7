import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * Just enough of the Compose file model to check docker-compose.yml without Docker: interpolation,
 * environments, ports, bind mounts, healthchecks. Values are `unknown` until narrowed.
 */
export interface ComposeService {
  readonly name: string;
  readonly raw: Record<string, unknown>;
}

export interface ComposeFile {
  readonly dir: string;
  readonly services: ComposeService[];
  readonly volumes: string[];
  /** Top-level `configs`, by name. */
  readonly configs: Record<string, unknown>;
}

export type Variables = Readonly<Record<string, string | undefined>>;

export class ComposeFormatError extends Error {
  override readonly name = 'ComposeFormatError';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a Compose file; `<<` merge keys are resolved as Docker Compose does. */
export function loadComposeFile(file: string): ComposeFile {
  const document: unknown = parse(readFileSync(file, 'utf8'), { merge: true });
  if (!isRecord(document) || !isRecord(document.services)) {
    throw new ComposeFormatError(`${file}: no services mapping`);
  }
  const services = Object.entries(document.services).map(([name, raw]) => {
    if (!isRecord(raw)) throw new ComposeFormatError(`service ${name}: not a mapping`);
    return { name, raw };
  });
  const volumes = isRecord(document.volumes) ? Object.keys(document.volumes) : [];
  const configs = isRecord(document.configs) ? document.configs : {};
  return { dir: path.dirname(path.resolve(file)), services, volumes, configs };
}

/**
 * Compose interpolation: `$$` is a literal `$`; `${VAR}` and `$VAR` take the variable (empty when unset);
 * `${VAR:-default}` takes the default when VAR is unset or empty, `${VAR-default}` only when unset.
 * `${VAR:?message}` / `${VAR?message}` throw when VAR is missing, as `docker compose` refuses to start.
 */
export function interpolate(value: string, variables: Variables): string {
  return value.replace(
    /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])((?:[^}])*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (
      _match: string,
      dollar: string | undefined,
      braced: string | undefined,
      colon: string | undefined,
      operator: string | undefined,
      operand: string | undefined,
      bare: string | undefined,
    ) => {
      if (dollar !== undefined) return '$';
      const name = braced ?? bare ?? '';
      const current = variables[name];
      const missing = colon === ':' ? current === undefined || current === '' : current === undefined;
      if (operator === '-') return missing ? (operand ?? '') : (current ?? '');
      if (operator === '?') {
        if (missing) throw new ComposeFormatError(`${name}: ${operand || 'required variable is missing'}`);
        return current ?? '';
      }
      return current ?? '';
    },
  );
}

/** The environment a service's process sees (from `environment`, map or list form), interpolated. */
export function serviceEnvironment(service: ComposeService, variables: Variables): Record<string, string> {
  const env: Record<string, string> = {};
  const declared = service.raw.environment;
  if (declared === undefined) return env;
  if (Array.isArray(declared)) {
    for (const entry of declared) {
      const text = String(entry);
      const equals = text.indexOf('=');
      // `- NAME` without a value passes NAME through from the shell.
      if (equals < 0) {
        const passed = variables[text];
        if (passed !== undefined) env[text] = passed;
      } else {
        env[text.slice(0, equals)] = interpolate(text.slice(equals + 1), variables);
      }
    }
    return env;
  }
  if (!isRecord(declared)) throw new ComposeFormatError(`service ${service.name}: bad environment`);
  for (const [name, value] of Object.entries(declared)) {
    if (value === null || value === undefined) {
      const passed = variables[name];
      if (passed !== undefined) env[name] = passed;
    } else if (typeof value === 'object') {
      throw new ComposeFormatError(`service ${service.name}: ${name} is not a scalar`);
    } else {
      env[name] = interpolate(String(value), variables);
    }
  }
  return env;
}

/** A service's command as an argument list (interpolated); [] when it uses the image's CMD. */
export function serviceCommand(service: ComposeService, variables: Variables): string[] {
  const command = service.raw.command;
  if (command === undefined) return [];
  if (typeof command === 'string') return interpolate(command, variables).split(/\s+/).filter(Boolean);
  if (Array.isArray(command)) return command.map((part) => interpolate(String(part), variables));
  throw new ComposeFormatError(`service ${service.name}: bad command`);
}

/** `apps/<name>/src/main.ts` in the command names the app the service runs. */
export function appOf(service: ComposeService, variables: Variables): string | undefined {
  for (const part of serviceCommand(service, variables)) {
    const match = /^apps\/([a-z0-9-]+)\/src\/main\.ts$/.exec(part);
    if (match) return match[1];
  }
  return undefined;
}

export interface PublishedPort {
  readonly hostIp?: string;
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: string;
}

function portNumber(text: string, where: string): number {
  if (!/^\d+$/.test(text)) throw new ComposeFormatError(`${where}: port ranges and names are not supported`);
  return Number(text);
}

/** Ports published on the host (a bare container port, published on a random host port, is left out). */
export function publishedPorts(service: ComposeService, variables: Variables): PublishedPort[] {
  const ports = service.raw.ports;
  if (ports === undefined) return [];
  if (!Array.isArray(ports)) throw new ComposeFormatError(`service ${service.name}: ports is not a list`);
  const where = `service ${service.name}`;
  const published: PublishedPort[] = [];
  for (const entry of ports) {
    if (isRecord(entry)) {
      if (entry.published === undefined) continue;
      published.push({
        hostIp: entry.host_ip === undefined ? undefined : String(entry.host_ip),
        hostPort: portNumber(interpolate(String(entry.published), variables), where),
        containerPort: portNumber(String(entry.target), where),
        protocol: entry.protocol === undefined ? 'tcp' : String(entry.protocol),
      });
      continue;
    }
    const text = interpolate(String(entry), variables);
    const [mapping, protocol = 'tcp'] = text.split('/');
    const parts = mapping.split(':');
    if (parts.length === 1) continue;
    const containerPort = portNumber(parts[parts.length - 1], where);
    const hostPort = portNumber(parts[parts.length - 2], where);
    const hostIp = parts.length > 2 ? parts.slice(0, -2).join(':') : undefined;
    published.push({ hostIp, hostPort, containerPort, protocol });
  }
  return published;
}

export interface Mount {
  readonly type: 'bind' | 'volume';
  /** Absolute host path for a bind mount; the volume name otherwise. */
  readonly source: string;
  readonly target: string;
}

/** A service's volumes; relative bind sources are resolved against the Compose file's directory. */
export function serviceMounts(service: ComposeService, composeDir: string, variables: Variables): Mount[] {
  const volumes = service.raw.volumes;
  if (volumes === undefined) return [];
  if (!Array.isArray(volumes)) throw new ComposeFormatError(`service ${service.name}: volumes is not a list`);
  return volumes.map((entry): Mount => {
    let type: string;
    let source: string;
    let target: string;
    if (isRecord(entry)) {
      type = String(entry.type ?? 'volume');
      source = interpolate(String(entry.source ?? ''), variables);
      target = String(entry.target ?? '');
    } else {
      const parts = interpolate(String(entry), variables).split(':');
      if (parts.length < 2)
        throw new ComposeFormatError(`service ${service.name}: anonymous volume ${entry}`);
      [source, target] = parts;
      type = /^[./~]/.test(source) ? 'bind' : 'volume';
    }
    if (type !== 'bind' && type !== 'volume') {
      throw new ComposeFormatError(`service ${service.name}: mount type ${type} is not checked`);
    }
    return type === 'bind'
      ? { type, source: path.resolve(composeDir, source), target }
      : { type, source, target };
  });
}

/** The services named in `depends_on` (list or map form) with their conditions. */
export function dependencies(service: ComposeService): { name: string; condition: string }[] {
  const dependsOn = service.raw.depends_on;
  if (dependsOn === undefined) return [];
  if (Array.isArray(dependsOn))
    return dependsOn.map((name) => ({ name: String(name), condition: 'service_started' }));
  if (!isRecord(dependsOn)) throw new ComposeFormatError(`service ${service.name}: bad depends_on`);
  return Object.entries(dependsOn).map(([name, options]) => ({
    name,
    condition:
      isRecord(options) && options.condition !== undefined ? String(options.condition) : 'service_started',
  }));
}

/** The healthcheck's test as an argument list: ['CMD', ...] or ['CMD-SHELL', script]; undefined if none. */
export function healthcheckTest(service: ComposeService): string[] | undefined {
  const healthcheck = service.raw.healthcheck;
  if (!isRecord(healthcheck) || healthcheck.disable === true) return undefined;
  const test = healthcheck.test;
  if (typeof test === 'string') return ['CMD-SHELL', test];
  if (Array.isArray(test) && test.every((part) => typeof part === 'string')) return test;
  return undefined;
}

/** `COPY` sources of a Dockerfile that come from the build context (not `--from` another stage). */
export function dockerfileContextSources(dockerfile: string): string[] {
  const sources: string[] = [];
  const logicalLines = dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const line of logicalLines) {
    const match = /^\s*(COPY|ADD)\s+(.*)$/i.exec(line);
    if (!match) continue;
    const words = match[2].trim().split(/\s+/);
    if (words.some((word) => word.startsWith('--from='))) continue;
    const args = words.filter((word) => !word.startsWith('--'));
    sources.push(...args.slice(0, -1));
  }
  return sources;
}

/**
 * Whether a context-relative path is excluded by .dockerignore. Handles the patterns this repository
 * uses: plain paths (anchored at the context root), `**\/name` anywhere, `*` within one segment, and
 * `!` re-inclusion; a path is excluded when it or one of its parent directories matches.
 */
export function isDockerIgnored(relativePath: string, dockerignore: string): boolean {
  const patterns = dockerignore
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  const segments = path.posix.normalize(relativePath).replace(/^\.\//, '').split('/');
  const prefixes = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = path.posix.normalize((negated ? raw.slice(1) : raw).replace(/^\//, ''));
    const source = pattern
      .split('/')
      .map((segment) =>
        segment === '**'
          ? '(?:.*)'
          : segment
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '[^/]*')
              .replace(/\?/g, '[^/]'),
      )
      .join('/')
      .replace(/\(\?:\.\*\)\//g, '(?:.*/)?');
    const regex = new RegExp(`^${source}$`);
    if (prefixes.some((prefix) => regex.test(prefix))) ignored = !negated;
  }
  return ignored;
}
