/**
 * `npm run bench`: times the project's commands, each several times, and reports the medians.
 * Figures in issue notes come from here, never from timed assertions in tests.
 *
 *   npm run bench                      every benchmark, default runs each
 *   npm run bench -- --only floor,stacks --runs 7
 *   npm run bench -- --json out/bench.json
 */
import { Command } from "commander";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import * as path from "node:path";
import { CONSOLE, Io, parseOptions, positive } from "../cli";
import { POOL_FLAG } from "../engine/v8-pool";

const ROOT = path.resolve(__dirname, "..", "..");
/** The benchmarks of the plan's parts, with V8's background threads as the plan has them. */
const TSX = ["node", POOL_FLAG, "--import", "tsx"];
/** As package.json's plan script runs it: tsx's CommonJS hook alone (its ESM loader thread costs). */
export const PLAN = ["node", POOL_FLAG, "--require", "tsx/cjs", "tools/plan/cli.ts"];

export interface Benchmark {
  readonly name: string;
  readonly what: string;
  readonly command: readonly string[];
  /** Runs when --runs is not given. */
  readonly runs: number;
  /** The command measures itself: report its output (last line JSON) instead of timing it. */
  readonly reports?: boolean;
  /**
   * The command repeats itself and keeps the median: it is given `--runs` (its own runs, or
   * bench's --runs), instead of being run that many times.
   */
  readonly repeats?: boolean;
  /** Exit codes that are results, not failures. @default [0] */
  readonly exitCodes?: readonly number[];
}

export const BENCHMARKS: readonly Benchmark[] = [
  {
    name: "floor",
    what: "bare node loading @pulumi/pulumi and @pulumi/aws: what no evaluation can beat",
    command: ["node", "-e", "require('@pulumi/pulumi'); require('@pulumi/aws')"],
    runs: 5,
  },
  {
    name: "plan",
    what: "npm run plan -- --quiet: both stacks, policies and verdict, as a newcomer runs it",
    command: [...PLAN, "--quiet"],
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
    name: "scale",
    what: "the plan with 1, 10 and 50 research enclaves in ireland, beside oregon and a third region: resources, time, peak memory",
    command: [...TSX, "tools/bench/scale.ts"],
    runs: 3,
    reports: true,
    repeats: true,
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
    what: "the mocked test suites of npm test's lane (the end-to-end lane runs in npm run verify)",
    command: ["npx", "mocha", "--reporter", "dot"],
    runs: 3,
  },
  {
    name: "test",
    what: "npm test: every mocha suite but the end-to-end lane (npm run verify runs it), as CI runs it",
    command: ["npm", "test", "--silent"],
    runs: 3,
  },
  {
    name: "fresh-test",
    what: "npm test on a fresh clone of HEAD (npm ci untimed), as CI runs it, and the end-to-end lane after it: medians of 5 runs",
    command: [...TSX, "tools/bench/fresh-test.ts"],
    runs: 5,
    reports: true,
    repeats: true,
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

export function command(): Command {
  const width = Math.max(...BENCHMARKS.map((b) => b.name.length));
  return new Command("bench")
    .description(
      "Time the project's commands, each several times, and print one line per benchmark: its median and every run in milliseconds (those that measure themselves print their own summary).",
    )
    .addHelpText(
      "after",
      [
        "",
        "Benchmarks:",
        ...BENCHMARKS.map(
          (b) => `  ${b.name.padEnd(width)}  ${b.what} (${b.runs} run${b.runs > 1 ? "s" : ""})`,
        ),
        "",
        "Writes nothing unless --json <file>: { generatedAt, cpus, timed: { <name>: { what,",
        "medianMs, runsMs } }, reported: { <name>: the command's own JSON } }.",
        "Figures in issue notes come from here, never from timed assertions in tests.",
      ].join("\n"),
    )
    .option("--only <names>", "comma-separated benchmarks to run (default: all)")
    .option("--runs <n>", "runs of each timed benchmark (default: each one's own)", positive)
    .option("--json <file>", "also write the results as JSON to this file")
    .helpOption("-h, --help", "show this help")
    .showHelpAfterError(false);
}

export function main(argv: readonly string[], io: Io = CONSOLE): number {
  const parsed = parseOptions<{ only?: string; runs?: number; json?: string }>(
    command(),
    argv,
    "bench",
    io,
  );
  if ("code" in parsed) return parsed.code;
  const values = parsed.options;
  const only = values.only?.split(",").map((s) => s.trim());
  const unknown = only?.filter((n) => !BENCHMARKS.some((b) => b.name === n)) ?? [];
  if (unknown.length) {
    io.err(
      `bench: unknown benchmark ${unknown.join(", ")}: use ${BENCHMARKS.map((b) => b.name).join(", ")}`,
    );
    return 2;
  }
  try {
    measure(only, values.runs, values.json, io);
    return 0;
  } catch (err) {
    io.err(`bench: ${(err as Error).message.split("\n")[0]}`);
    return 1;
  }
}

/** The command of a benchmark that measures itself: with `--runs` when it repeats itself. */
export function reportedCommand(bench: Benchmark, runs: number | undefined): readonly string[] {
  return bench.repeats ? [...bench.command, "--runs", String(runs ?? bench.runs)] : bench.command;
}

function measure(
  only: string[] | undefined,
  runs: number | undefined,
  json: string | undefined,
  io: { out: (s: string) => void },
): void {
  const timed: Record<string, Timed> = {};
  const reported: Record<string, unknown> = {};
  const chosen = BENCHMARKS.filter((b) => !only || only.includes(b.name));
  for (const bench of chosen.filter((b) => b.reports)) {
    const lines = run(reportedCommand(bench, runs)).stdout.trim().split("\n");
    // Every line but the JSON: one for most, a table for scale.
    io.out(`${bench.name.padEnd(10)} ${lines.slice(0, -1).join(`\n${" ".repeat(11)}`)}`);
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
    io.out(
      `${bench.name.padEnd(10)} median ${String(m).padStart(6)} ms  runs ${list.map(Math.round).join(", ")}  (${bench.what})`,
    );
  }
  for (const name of ["plan", "stacks"]) {
    if (timed.floor && timed[name]) {
      io.out(`${name} / floor = ${(timed[name].medianMs / timed.floor.medianMs).toFixed(2)}x`);
    }
  }
  if (json) {
    mkdirSync(path.dirname(path.resolve(json)), { recursive: true });
    const report = { generatedAt: new Date().toISOString(), cpus: cpus().length, timed, reported };
    writeFileSync(json, JSON.stringify(report, null, 2));
  }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
