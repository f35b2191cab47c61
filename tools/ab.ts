import * as path from "node:path";
import { policies as head } from "../policy-pack/policies";
import { EvaluationPool, PROJECT_DIR, STACKS, stackRequest } from "./engine";
import { runPolicies as runHead } from "./policy/run";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const base = require("/tmp/pack-base/policy-pack/policies").policies;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runBase = require("/tmp/pack-base/tools/policy/run").runPolicies;
(async () => {
  const pool = new EvaluationPool(2);
  const evs = await Promise.all([...STACKS.map((s) => pool.evaluate(stackRequest(s))), pool.evaluate({ program: path.join(PROJECT_DIR, "tests", "fixtures", "programs", "insecure-healthcare.ts"), project: "clinic", stack: "prod", config: { "aws:region": "eu-west-1" } })]);
  await pool.close();
  const n = evs.reduce((a, e) => a + e.resources.length, 0);
  const tb: number[] = [], th: number[] = [], tx: number[] = [];
  for (let i = 0; i < 40; i++) {
    let t = performance.now(); for (const e of evs) runBase(e.resources, base); tb.push(performance.now() - t);
    t = performance.now(); for (const e of evs) runHead(e.resources, head); th.push(performance.now() - t);
    t = performance.now(); for (const e of evs) runBase(e.resources, head); tx.push(performance.now() - t);
  }
  const med = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  console.log(`base ${med(tb).toFixed(1)} ms (${Math.round(n / med(tb) * 1000)} r/s), head ${med(th).toFixed(1)} ms (${Math.round(n / med(th) * 1000)} r/s), head pack on the base runner ${med(tx).toFixed(1)} ms (${Math.round(n / med(tx) * 1000)} r/s), ${n} resources`);
  process.exit(0);
})();
