/**
 * How soon V8 hands a function to its optimizing compiler, for the plan's processes and threads.
 *
 * V8 tiers a function up when its interrupt budget, spent on every return and loop back-edge, runs
 * out (V8's docs/runtime/tiering.md, "Tiering and the Interrupt Budget"). With Node 20's default
 * budget, a plan of both stacks optimizes some 720 functions that run a few hundred times and
 * never again: `perf` put a third of the plan's CPU time in TurboFan's background threads. A
 * budget nine times larger still optimizes what stays hot (a pack's passes, a 50-enclave stack),
 * and measured, interleaved, five runs each (`npm run plan -- --quiet`, wall and user+sys CPU):
 * 3.60 s and 6.7 CPU-s with the default, 2.98 s and 5.3 CPU-s with this budget, with no change at
 * 50 enclaves (`tools/bench/scale.ts --sizes 50`). V8's flags are the process's, so one call
 * covers the evaluation workers started after it. Only the speed of the plan changes: the code
 * each tier runs is the same program.
 */
import { setFlagsFromString } from "node:v8";

/** V8's flag and the budget the plan runs with (Node 20's default: 67584). */
export const TIERING_FLAG = "--interrupt-budget=600000";

// Importing this module sets the budget for the process, before the imports after it run.
setFlagsFromString(TIERING_FLAG);
