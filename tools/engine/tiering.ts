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

/**
 * The size of V8's pool of background threads (parallel scavenges and marking, optimizing
 * compiles), for the `node` command lines of the plan, its benchmarks, its child processes and
 * the tests. It is a process flag: V8's platform starts before any script runs, so it goes on the
 * command line (package.json, .mocharc.cjs), not here.
 *
 * Node's default is four threads on any machine. `0` asks Node for one fewer than the processors
 * it estimates, and at least one (Node's src/node_platform.cc, GetActualThreadPoolSize; the
 * `--v8-pool-size` entry of Node's CLI documentation). On a two-core machine that is one thread
 * instead of four: the plan runs two evaluation workers beside its main thread, and four more
 * threads copying objects for each scavenge were fighting them for two cores. Measured on this
 * two-core machine, interleaved, the default against this flag: the plan 2,406 ms against
 * 2,332 ms (`npm run plan -- --quiet`, medians of 15 each), 50 enclaves 9.6 s against 9.1 s (3
 * each). `npm test` showed no difference beyond the machine's noise (9 pairs, medians within a
 * second); mocha runs with it so that its evaluations run as the plan's do. The code that runs
 * is the same: only the number of threads that help V8's collector changes.
 */
export const POOL_FLAG = "--v8-pool-size=0";
