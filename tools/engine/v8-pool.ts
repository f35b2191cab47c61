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
 *
 * A module of its own, without side effects (tiering.ts sets the process's tiering when imported):
 * the processes that only start others, the benchmarks and `npm run verify`'s lanes, read it too.
 */
export const POOL_FLAG = "--v8-pool-size=0";
