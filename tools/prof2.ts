import * as path from "node:path";
import { policies } from "../policy-pack/policies";
import { EvaluationPool, PROJECT_DIR, STACKS, stackRequest } from "./engine";
import { runPolicies } from "./policy/run";
(async () => {
  const pool = new EvaluationPool(2);
  const evs = await Promise.all([...STACKS.map((s) => pool.evaluate(stackRequest(s))), pool.evaluate({ program: path.join(PROJECT_DIR, "tests", "fixtures", "programs", "insecure-healthcare.ts"), project: "clinic", stack: "prod", config: { "aws:region": "eu-west-1" } })]);
  await pool.close();
  for (let i = 0; i < 150; i++) for (const e of evs) runPolicies(e.resources, policies);
  process.exit(0);
})();
