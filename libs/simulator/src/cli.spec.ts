import { CliError, parseCliArgs, resolveCredentials } from './cli';

const NOW = new Date('2026-11-28T21:00:00Z'); // 2026-11-29 in China

describe('parseCliArgs', () => {
  it('reads every option', () => {
    const options = parseCliArgs(
      [
        '--learners',
        '500',
        '--days',
        '7',
        '--rate',
        '250',
        '--target',
        'http://127.0.0.1:8080',
        '--seed',
        'x',
        '--user',
        'admin:s3:cret',
        '--batch-size',
        '50',
        '--concurrency',
        '2',
        '--no-sheets',
        '--out',
        '/tmp/sim',
      ],
      NOW,
    );
    expect(options).toMatchObject({
      learners: 500,
      days: 7,
      rate: 250,
      target: 'http://127.0.0.1:8080',
      seed: 'x',
      user: { key: 'admin', secret: 's3:cret' },
      batchSize: 50,
      concurrency: 2,
      registry: true,
      sheets: false,
      out: '/tmp/sim',
      dryRun: false,
    });
  });

  it('ends the simulated days yesterday in China by default', () => {
    const options = parseCliArgs(['--days', '30'], NOW);
    expect(options.start.toISOString()).toBe('2026-10-29T16:00:00.000Z'); // 2026-10-30 00:00 China
    expect(parseCliArgs(['--start', '2026-10-01'], NOW).start.toISOString()).toBe('2026-09-30T16:00:00.000Z');
  });

  it('refuses bad values and unknown options', () => {
    expect(() => parseCliArgs(['--days', '0'], NOW)).toThrow(CliError);
    expect(() => parseCliArgs(['--learners', 'many'], NOW)).toThrow(CliError);
    expect(() => parseCliArgs(['--rate', '-3'], NOW)).toThrow(CliError);
    expect(() => parseCliArgs(['--user', 'nosecret'], NOW)).toThrow(CliError);
    expect(() => parseCliArgs(['--target', 'not a url'], NOW)).toThrow(CliError);
    expect(() => parseCliArgs(['--start', '2026-13-01'], NOW)).toThrow(CliError);
    expect(() => parseCliArgs(['--frobnicate'], NOW)).toThrow(CliError);
  });
});

describe('resolveCredentials', () => {
  const user = { key: 'admin', secret: 'a' };

  it('uses --user for every source the file leaves out', () => {
    const credentials = resolveCredentials(
      { portal: 'web:p', classroom: { LP001: 'k1:x', default: 'kiosk:y' } },
      user,
    );
    expect(credentials).toEqual({
      registry: user,
      portal: { key: 'web', secret: 'p' },
      app: user,
      partner: user,
      classroom: { byPoint: { LP001: { key: 'k1', secret: 'x' } }, default: { key: 'kiosk', secret: 'y' } },
    });
    expect(resolveCredentials(undefined, user).classroom).toEqual(user);
  });

  it('says what is missing or malformed', () => {
    expect(() => resolveCredentials({ portal: 'web:p' }, undefined)).toThrow(
      /no credential for registry, app, classroom, partner:/,
    );
    expect(() => resolveCredentials({ kiosk: 'x:y' }, user)).toThrow(/unknown entries kiosk/);
    expect(() => resolveCredentials({ app: 42 }, user)).toThrow(CliError);
    expect(() => resolveCredentials([], user)).toThrow(CliError);
  });
});
