// Loaded by .mocharc.json before the specs: both stacks start evaluating in their workers while
// the pure tests run, and the suites that need them find them ready.
import { stack } from "./helpers";

for (const name of ["ireland", "oregon"]) stack(name).catch(() => undefined);
