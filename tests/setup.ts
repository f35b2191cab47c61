// Loaded by .mocharc.cjs before the specs. Both stacks start evaluating on the shared workers
// while the pure tests run, so the suites that need them find them ready; the workers stop after
// the last suite.
// The suites' evaluations run with the plan's V8 tiering (tools/engine/tiering.ts).
import "../tools/engine/tiering";
// Installed packages load without tsx's hook, as in the plan: .mocharc.cjs requires
// tools/engine/native-deps.ts before mocha loads.
// The project's files compiled once, in one build, for every thread of the run.
import "./helpers/compile-cache";
// The SDK's closure serialization loads on first use, as in workers.
import "./helpers/sdk-deferred";
import { setEvaluationNiceness } from "../tools/engine/niceness";
import { closeShared, stack } from "./helpers";

// The suites run one after another on this thread, and every test waits for it; the workers and
// child processes that evaluate programs for later suites take what it leaves of the machine
// (tools/engine/niceness.ts). Suites start the evaluations they read when they load, not when they
// begin, for that reason.
setEvaluationNiceness(10);

for (const name of ["ireland", "oregon"]) stack(name).catch(() => undefined);

// A global teardown, not a root afterAll hook: mocha runs root hooks only when a test runs, so a
// filtered run that selected none (npx mocha --grep <nothing that matches>) kept the workers, and
// itself, alive for ever.
export function mochaGlobalTeardown(): Promise<void> {
  return closeShared();
}
