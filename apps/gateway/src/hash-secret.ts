import { CREDENTIAL_SCOPES, hashSecret } from '@app/lrs';
import { statementSourceTypes } from '@app/contracts';

/**
 * Prints a scrypt hash of a secret for CREDENTIALS_FILE. The secret is read from stdin (so it stays out of
 * the shell history), or taken from the first argument.
 *
 *   printf %s 'the-secret' | node -r @swc-node/register apps/gateway/src/hash-secret.ts
 *   node -r @swc-node/register apps/gateway/src/hash-secret.ts 'the-secret' --key kiosk-lp001 --source kiosk \
 *     --scopes statements/write --point LP001        # prints a whole credentials entry
 */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const positional = args[0] !== undefined && !args[0].startsWith('--') ? args[0] : undefined;
  const secret = positional ?? (await readStdin());
  const secretHash = await hashSecret(secret);
  const key = option(args, '--key');
  if (key === undefined) {
    process.stdout.write(`${secretHash}\n`);
    return;
  }
  const source = option(args, '--source') ?? 'partner';
  if (!(statementSourceTypes as readonly string[]).includes(source)) {
    throw new Error(`--source must be one of ${statementSourceTypes.join(', ')}`);
  }
  const scopes = (option(args, '--scopes') ?? 'statements/write').split(',');
  const unknown = scopes.filter((s) => !(CREDENTIAL_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`unknown scope(s) ${unknown.join(', ')}; known: ${CREDENTIAL_SCOPES.join(', ')}`);
  const point = option(args, '--point');
  const entry = {
    key,
    secretHash,
    source,
    scopes,
    ...(point !== undefined && { boundLearningPointId: point }),
  };
  process.stdout.write(`${JSON.stringify(entry, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
