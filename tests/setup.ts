// Loaded by .mocharc.cjs before the specs. Both stacks start evaluating on the shared workers
// while the pure tests run, so the suites that need them find them ready; the workers stop after
// the last suite.
// The suites' evaluations run with the plan's V8 tiering (tools/engine/tiering.ts).
import "../tools/engine/tiering";
// Installed packages load without tsx's hook, as in the plan (tools/engine/native-deps.ts).
import "../tools/engine/native-deps";
import { closeShared, stack } from "./helpers";

for (const name of ["ireland", "oregon"]) stack(name).catch(() => undefined);

// A global teardown, not a root afterAll hook: mocha runs root hooks only when a test runs, so a
// filtered run that selected none (npx mocha --grep <nothing that matches>) kept the workers, and
// itself, alive for ever.
export function mochaGlobalTeardown(): Promise<void> {
  return closeShared();
}
