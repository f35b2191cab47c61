/**
 * The preflight's own time on both stacks: the stacks are evaluated once (their time is the stacks
 * benchmark's), then the rules run on the two records together, first cold (loading the IAM data,
 * as the plan does), then warm. The last line is JSON for `npm run bench`.
 */
// V8's tiering as the plan runs with it (tools/engine/tiering.ts), before any worker starts.
import "../engine/tiering";
import { STACKS, evaluateStack } from "../engine";
import { preflight } from "../preflight";

const RUNS = 5;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const evaluations = await Promise.all(STACKS.map((s) => evaluateStack(s)));
  const inputs = evaluations.map((e) => ({
    stack: e.stack,
    region: e.region,
    resources: e.resources,
  }));
  const runsMs: number[] = [];
  let findings = 0;
  for (let i = 0; i < RUNS + 1; i++) {
    const started = performance.now();
    const result = await preflight(inputs);
    runsMs.push(Math.round(performance.now() - started));
    findings = result.stacks.reduce((n, s) => n + s.deploy.length, 0);
  }
  const [coldMs, ...warm] = runsMs;
  const resources = inputs.reduce((n, i) => n + i.resources.length, 0);
  console.log(
    `preflight on ${resources} resources: cold ${coldMs} ms, warm median ${median(warm)} ms (${warm.join(", ")}), ${findings} findings`,
  );
  console.log(
    JSON.stringify({ resources, coldMs, warmMedianMs: median(warm), warmRunsMs: warm, findings }),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
