import type { JsonLogger } from './json-logger';

/**
 * Runs a service's `main` and gives it the process lifecycle every host needs: on SIGTERM or SIGINT, `stop`
 * runs once (consumers finish and commit the batch in hand, producers flush) and the process exits 0; a
 * failed start prints the error and exits 1.
 */
export function runService(
  service: string,
  main: () => Promise<{ logger: JsonLogger; stop: () => Promise<void> }>,
): void {
  main()
    .then(({ logger, stop }) => {
      let stopping = false;
      const onSignal = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.event('info', `${service} stopping`, { signal });
        stop().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.event('error', `${service} did not stop cleanly`, { error: String(error) });
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    })
    .catch((error: unknown) => {
      process.stderr.write(
        `${service} failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    });
}
