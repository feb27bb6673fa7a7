import { readFile } from 'node:fs/promises';
import { ReferenceIndex } from '@app/reference';
import {
  CLI_USAGE,
  CliError,
  SimulationConfigError,
  TargetUnreachableError,
  formatSendReport,
  formatSimulationSummary,
  hasFailures,
  parseCliArgs,
  resolveCredentials,
  sendSimulation,
  simulateDistrict,
  writeSimulationFiles,
  type SendProgress,
} from '@app/simulator';

/** `npm run simulate -- --learners 2000 --days 30 --target http://127.0.0.1:3000 --user key:secret` */
async function main(): Promise<number> {
  const options = parseCliArgs(process.argv.slice(2));
  if (options.help) {
    console.log(CLI_USAGE);
    return 0;
  }
  const reference = await ReferenceIndex.load();
  const sim = simulateDistrict({
    seed: options.seed,
    learners: options.learners,
    days: options.days,
    start: options.start,
    reference,
  });
  console.log(formatSimulationSummary(sim));
  if (options.out !== undefined) {
    const written = await writeSimulationFiles(sim, options.out);
    console.log(`wrote ${written.length} files to ${options.out}`);
  }
  if (options.dryRun) return 0;

  let file: unknown;
  if (options.credentialsFile !== undefined) {
    try {
      file = JSON.parse(await readFile(options.credentialsFile, 'utf8'));
    } catch (error) {
      throw new CliError(
        `cannot read ${options.credentialsFile}: ${error instanceof Error ? error.message : error}`,
      );
    }
  }
  const credentials = resolveCredentials(file, options.user);
  console.log(`sending to ${options.target} …`);
  let lastPrint = 0;
  const onProgress = (p: SendProgress) => {
    const now = Date.now();
    if (now - lastPrint < 2000 && p.done !== p.total) return;
    lastPrint = now;
    process.stderr.write(`  ${p.phase} ${p.done}/${p.total}\n`);
  };
  const report = await sendSimulation(sim, {
    target: options.target,
    credentials,
    rate: options.rate,
    batchSize: options.batchSize,
    concurrency: options.concurrency,
    phases: { registry: options.registry, sheets: options.sheets },
    onProgress,
  });
  console.log(formatSendReport(report));
  return hasFailures(report) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliError) console.error(`${error.message}\n\n${CLI_USAGE}`);
    else if (error instanceof TargetUnreachableError || error instanceof SimulationConfigError) {
      console.error(`${error.name}: ${error.message}`);
    } else console.error(error);
    process.exitCode = 2;
  },
);
