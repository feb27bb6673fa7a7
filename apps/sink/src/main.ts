import 'reflect-metadata';
import { loadConfig } from '@app/config';
import { sinkEnvSchema } from './sink.config';
import { startSink } from './sink.app';

async function main(): Promise<void> {
  const sink = await startSink({ env: loadConfig(sinkEnvSchema) });
  const stop = async (signal: string) => {
    process.stderr.write(`sink: ${signal}, finishing the batch in hand\n`);
    await sink.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`sink failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
