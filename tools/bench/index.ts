/**
 * `npm run bench`: times the project's commands, each several times, and reports the medians.
 * Figures in issue notes come from here, never from timed assertions in tests.
 *
 *   npm run bench                      every benchmark, default runs each
 *   npm run bench -- --only floor,stacks --runs 7
 *   npm run bench -- --json out/bench.json
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";

const ROOT = path.resolve(__dirname, "..", "..");
const TSX = ["node", "--import", "tsx"];

interface Benchmark {
  readonly name: string;
  readonly what: string;
  readonly command: readonly string[];
  /** Runs when --runs is not given. */
  readonly runs: number;
  /** The command measures itself: report its output (last line JSON) instead of timing it. */
  readonly reports?: boolean;
  /** Exit codes that are results, not failures. @default [0] */
  readonly exitCodes?: readonly number[];
}

const BENCHMARKS: readonly Benchmark[] = [
  {
    name: "floor",
    what: "bare node loading @pulumi/pulumi and @pulumi/aws: what no evaluation can beat",
    command: ["node", "-e", "require('@pulumi/pulumi'); require('@pulumi/aws')"],
    runs: 5,
  },
  {
    name: "plan",
    what: "npm run plan -- --quiet: both stacks, policies and verdict, as a newcomer runs it",
    command: [...TSX, "tools/plan/cli.ts", "--quiet"],
    runs: 5,
    // 1 is a verdict (a mandatory or fails-deploy finding), not a failure of the command.
    exitCodes: [0, 1],
  },
  {
    name: "preflight",
    what: "the preflight's rules on both stacks' records together, cold (as in the plan) and warm",
    command: [...TSX, "tools/bench/preflight.ts"],
    runs: 1,
    reports: true,
  },
  {
    name: "stacks",
    what: "both stacks evaluated on the mock runtime, one worker each, in parallel",
    command: [...TSX, "tools/bench/stacks.ts"],
    runs: 5,
  },
  {
    name: "policies",
    what: "policy evaluation throughput: the whole pack over both stacks and the insecure fixture",
    command: [...TSX, "tools/bench/policies.ts"],
    runs: 1,
    reports: true,
  },
  {
    name: "synthetic",
    what: "npm run synthetic with a million visits: wall time and peak memory, 3 runs",
    command: [...TSX, "tools/bench/synthetic.ts"],
    runs: 1,
    reports: true,
  },
  {
    name: "typecheck",
    what: "tsc --noEmit",
    command: ["npx", "tsc", "--noEmit", "-p", "tsconfig.json"],
    runs: 3,
  },
  {
    name: "lint",
    what: "eslint and prettier --check",
    command: ["npm", "run", "--silent", "lint"],
    runs: 3,
  },
  {
    name: "mocha",
    what: "the mocked test suites",
    command: ["npx", "mocha", "--reporter", "dot"],
    runs: 3,
  },
  {
    name: "test",
    what: "npm test: typecheck, lint and mocha, as CI runs it",
    command: ["npm", "test", "--silent"],
    runs: 3,
  },
];

interface Timed {
  readonly what: string;
  readonly medianMs: number;
  readonly runsMs: number[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function run(
  command: readonly string[],
  exitCodes: readonly number[] = [0],
): { ms: number; stdout: string } {
  const started = process.hrtime.bigint();
  const result = spawnSync(command[0], command.slice(1), {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status === null || !exitCodes.includes(result.status)) {
    const tail = (result.stderr ?? "").trim().split("\n").slice(-3).join(" | ");
    throw new Error(`${command.join(" ")} exited ${result.status}: ${tail}`);
  }
  return { ms, stdout: result.stdout ?? "" };
}

function main(): void {
  const { values } = parseArgs({
    options: { only: { type: "string" }, runs: { type: "string" }, json: { type: "string" } },
  });
  const only = values.only?.split(",").map((s) => s.trim());
  const unknown = only?.filter((n) => !BENCHMARKS.some((b) => b.name === n)) ?? [];
  if (unknown.length) {
    console.error(
      `unknown benchmark ${unknown.join(", ")}: use ${BENCHMARKS.map((b) => b.name).join(", ")}`,
    );
    process.exit(2);
  }
  const runs = values.runs === undefined ? undefined : Number(values.runs);
  if (runs !== undefined && (!Number.isInteger(runs) || runs < 1)) {
    console.error(`--runs ${values.runs} is not a positive whole number`);
    process.exit(2);
  }

  const timed: Record<string, Timed> = {};
  const reported: Record<string, unknown> = {};
  const chosen = BENCHMARKS.filter((b) => !only || only.includes(b.name));
  for (const bench of chosen.filter((b) => b.reports)) {
    const lines = run(bench.command).stdout.trim().split("\n");
    console.log(`${bench.name.padEnd(10)} ${lines[0]}`);
    reported[bench.name] = { ...(JSON.parse(lines[lines.length - 1]) as object), what: bench.what };
  }
  // Rounds interleave the benchmarks, so that a machine that speeds up or slows down during the
  // run (seen here: the floor moved by 40% within a session) weighs on all of them alike.
  const timedBenches = chosen.filter((b) => !b.reports);
  const times = new Map<string, number[]>(timedBenches.map((b) => [b.name, []]));
  const rounds = Math.max(...timedBenches.map((b) => runs ?? b.runs), 0);
  for (let round = 0; round < rounds; round++) {
    for (const bench of timedBenches) {
      if (round < (runs ?? bench.runs))
        times.get(bench.name)!.push(run(bench.command, bench.exitCodes).ms);
    }
  }
  for (const bench of timedBenches) {
    const list = times.get(bench.name)!;
    const m = Math.round(median(list));
    timed[bench.name] = { what: bench.what, medianMs: m, runsMs: list.map(Math.round) };
    console.log(
      `${bench.name.padEnd(10)} median ${String(m).padStart(6)} ms  runs ${list.map(Math.round).join(", ")}  (${bench.what})`,
    );
  }
  for (const name of ["plan", "stacks"]) {
    if (timed.floor && timed[name]) {
      console.log(`${name} / floor = ${(timed[name].medianMs / timed.floor.medianMs).toFixed(2)}x`);
    }
  }
  if (values.json) {
    mkdirSync(path.dirname(path.resolve(values.json)), { recursive: true });
    const report = { generatedAt: new Date().toISOString(), cpus: cpus().length, timed, reported };
    writeFileSync(values.json, JSON.stringify(report, null, 2));
  }
}

main();
