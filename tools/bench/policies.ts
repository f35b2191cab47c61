/**
 * Policy evaluation throughput: both stacks and the insecure fixture are evaluated once, then the
 * whole pack runs over their resources again and again, as the offline plan runs it. Prints the
 * median time per pass and resources per second, as JSON on the last line.
 */
import * as path from "node:path";
import { policies } from "../../policy-pack/policies";
import { EvaluationPool, PROJECT_DIR, STACKS, stackRequest } from "../engine";
import { runPolicies } from "../policy/run";

const PASSES = 30;

async function main(): Promise<void> {
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
  for (let i = 0; i < PASSES; i++) {
    const started = performance.now();
    findings = 0;
    for (const e of evaluations) findings += runPolicies(e.resources, policies).violations.length;
    times.push(performance.now() - started);
  }
  // The first pass runs cold (no JIT, empty memos of parsed documents, CIDRs and patterns), as a
  // plan's single pass does: reported beside the median so that warm caches cannot hide a cost.
  const first = times[0];
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const result = {
    policies: policies.length,
    resources,
    findings,
    passes: PASSES,
    firstPassMs: Number(first.toFixed(2)),
    medianMsPerPass: Number(median.toFixed(2)),
    resourcesPerSecond: Math.round((resources / median) * 1000),
  };
  console.log(
    `${result.policies} policies over ${resources} resources (ireland, oregon, insecure fixture): median ${result.medianMsPerPass} ms a pass, ${result.resourcesPerSecond} resources/s (first, cold pass ${result.firstPassMs} ms)`,
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
