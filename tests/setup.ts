// Loaded by .mocharc.json before the specs. Both stacks start evaluating on the shared workers
// while the pure tests run, so the suites that need them find them ready; the workers stop after
// the last suite.
import { closeShared, stack } from "./helpers";

for (const name of ["ireland", "oregon"]) stack(name).catch(() => undefined);

export const mochaHooks = {
  afterAll(): Promise<void> {
    return closeShared();
  },
};
