/**
 * An open-loop step (open-loop.ts) in a process of its own, for parts whose server runs in the measuring
 * process (freshness: the embedded store can only be queried from the process that opened it). In the same
 * process the load generator would take the server's one JavaScript thread, and the Kafka mode, whose
 * consumers share that thread with the HTTP handling, would fall behind for the bench's sake, not its own.
 */
import { runChildScript } from './child-script';
import { z } from 'zod';
import { simulatedStatements } from './corpus';
import { runOpenLoopStep, tailsOf, type StepResult } from './open-loop';

const ChildArgsSchema = z.object({
  url: z.string().url(),
  authorization: z.string().min(1),
  rate: z.number().positive(),
  batch: z.number().int().positive(),
  seconds: z.number().positive(),
  /** The statements are simulatedStatements(corpusSize, corpusSeed), as the caller would build them. */
  corpusSize: z.number().int().positive(),
  corpusSeed: z.string().min(1),
});
export type OpenLoopChildArgs = z.infer<typeof ChildArgsSchema>;

const RESULT_PREFIX = 'OPEN_LOOP_RESULT ';

export async function runOpenLoopStepInChild(args: OpenLoopChildArgs): Promise<StepResult> {
  return (await runChildScript(__filename, [JSON.stringify(args)], RESULT_PREFIX)) as StepResult;
}

if (require.main === module) {
  const args = ChildArgsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  void runOpenLoopStep({
    url: args.url,
    authorization: args.authorization,
    rate: args.rate,
    batch: args.batch,
    seconds: args.seconds,
    tails: tailsOf(simulatedStatements(args.corpusSize, args.corpusSeed)),
  }).then((result) => {
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
    // The step's drain timer may still be pending; the answer is out, so leave now.
    process.exit(0);
  });
}
