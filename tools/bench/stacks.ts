/**
 * Evaluates both stacks of the project on the mock runtime, each in its own worker, in parallel,
 * and prints the resource count of each: the unit of work that the bench times.
 */
// V8's tiering as the plan runs with it (tools/engine/tiering.ts), before any worker starts.
import "../engine/tiering";
import { STACKS, evaluateStack } from "../engine";

async function main(): Promise<void> {
  const evaluations = await Promise.all(STACKS.map((s) => evaluateStack(s)));
  for (const e of evaluations) {
    console.log(
      `${e.stack}: ${e.resources.length} resources in ${e.region} (${e.timingsMs.program} ms)`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
