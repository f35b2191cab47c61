/**
 * Policy evaluation throughput: both stacks and the insecure fixture are evaluated once, then the
 * whole pack runs over their resources again and again, as the offline plan runs it. Prints the
 * median time per pass and resources per second, as JSON on the last line.
 *
 * Throughput is the steady state: the median of the passes after WARMUP, once V8 has compiled the
 * hot code (a series of 200 passes: about 16 ms each for the first 20, then 5-7 ms), with V8's
 * tiering as the plan's workers run the pack (tiering.ts: steadier, 6.6-7.0 ms against 5.8-11.1 ms
 * with Node's default, three runs each). The first,
 * cold pass (what a plan's single pass costs) and the median of the first 30 passes (this bench's
 * figure until 2026-12, JIT warm-up included) are reported beside it, so no cost is hidden.
 * With that tiering, V8 is still optimizing the pass's hottest functions (runPolicies, the
 * resource policies' wrapper, the literal-credentials scan, the getters of the arguments) between
 * passes 21 and 80 (`--trace-opt`): callgrind (V8 single-threaded) counted 53.2 M instructions a
 * pass for passes 22 to 61, 31.1 M for 62 to 141. So the warm-up is 100 passes (WARMUP), and the
 * window measured before (passes 21 to 70) is printed beside it.
 */
// V8's tiering as the plan runs with it (tools/engine/tiering.ts), before any worker starts.
import "../engine/tiering";
import * as path from "node:path";
import { EvaluationPool, PROJECT_DIR, STACKS, stackRequest } from "../engine";
import { loadPack } from "../policy/load";

/**
 * Passes run before the measured ones, and passes measured. V8 (with the plan's tiering) finishes
 * most of its optimizing by pass 80: `--trace-opt` counted 196 functions optimized in passes 0-9,
 * then 14, 6, 16, 6, 6, 10, 4 per ten passes up to pass 79, and 0 to 10 per ten passes after.
 */
const WARMUP = 100;
const PASSES = 50;
/** This bench's window before (2026-12, session 8): the 50 passes after 20 warm-up passes. */
const EARLIER_WARMUP = 20;
/** The window this bench measured before it had a warm-up: passes 1 to 30. */
const EARLY = 30;

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  // The pack as one module (tools/policy/load.ts), as loadPack() gives it to a worker that calls
  // it; a worker that requires the pack's modules runs the same code more slowly (see load.ts).
  const { policies, runPolicies } = loadPack();
  const pool = new EvaluationPool(2);
  const evaluations = await Promise.all([
    ...STACKS.map((s) => pool.evaluate(stackRequest(s))),
    pool.evaluate({
      program: path.join(PROJECT_DIR, "tests", "fixtures", "programs", "insecure-healthcare.ts"),
      project: "clinic",
      stack: "prod",
      config: { "aws:region": "eu-west-1" },
    }),
  ]);
  await pool.close();
  const resources = evaluations.reduce((n, e) => n + e.resources.length, 0);
  const times: number[] = [];
  let findings = 0;
  for (let i = 0; i < WARMUP + PASSES; i++) {
    const started = performance.now();
    findings = 0;
    for (const e of evaluations) findings += runPolicies(e.resources, policies).violations.length;
    times.push(performance.now() - started);
  }
  // The first pass runs cold (no JIT, empty memos of parsed documents, CIDRs and patterns), as a
  // plan's single pass does: reported beside the median so that warm caches cannot hide a cost.
  const first = times[0];
  const early = medianOf(times.slice(0, EARLY));
  const earlier = medianOf(times.slice(EARLIER_WARMUP, EARLIER_WARMUP + PASSES));
  const median = medianOf(times.slice(WARMUP));
  const result = {
    policies: policies.length,
    resources,
    findings,
    warmupPasses: WARMUP,
    passes: PASSES,
    firstPassMs: Number(first.toFixed(2)),
    earlyMedianMs: Number(early.toFixed(2)),
    afterTwentyMedianMs: Number(earlier.toFixed(2)),
    medianMsPerPass: Number(median.toFixed(2)),
    resourcesPerSecond: Math.round((resources / median) * 1000),
  };
  console.log(
    `${result.policies} policies over ${resources} resources (ireland, oregon, insecure fixture): median ${result.medianMsPerPass} ms a pass after ${WARMUP} warm-up passes, ${result.resourcesPerSecond} resources/s (first, cold pass ${result.firstPassMs} ms; median of passes 1-${EARLY} ${result.earlyMedianMs} ms, ${Math.round((resources / early) * 1000)} resources/s; of passes ${EARLIER_WARMUP + 1}-${EARLIER_WARMUP + PASSES} ${result.afterTwentyMedianMs} ms, ${Math.round((resources / earlier) * 1000)} resources/s)`,
  );
  console.log(JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
