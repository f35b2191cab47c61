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
import * as path from "node:path";
import { parseArgs } from "node:util";
import { cpus } from "node:os";

const ROOT = path.resolve(__dirname, "..", "..");
const TSX = ["node", "--import", "tsx"];

interface Benchmark {
  readonly name: string;
  readonly what: string;
  readonly command: readonly string[];
  /** Runs when --runs is not given. */
  readonly runs: number;
}

const BENCHMARKS: readonly Benchmark[] = [
  {
    name: "floor",
    what: "bare node loading @pulumi/pulumi and @pulumi/aws: what no evaluation can beat",
    command: ["node", "-e", "require('@pulumi/pulumi'); require('@pulumi/aws')"],
    runs: 5,
  },
  {
    name: "stacks",
    what: "both stacks evaluated on the mock runtime, one worker each, in parallel",
    command: [...TSX, "tools/bench/stacks.ts"],
    runs: 5,
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function time(command: readonly string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command[0], command.slice(1), {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(
      `${command.join(" ")} exited ${result.status}: ${(result.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}`,
    );
  }
  return ms;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      runs: { type: "string" },
      json: { type: "string" },
    },
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
  const results: Record<string, { medianMs: number; runsMs: number[]; what: string }> = {};
  for (const bench of BENCHMARKS.filter((b) => !only || only.includes(b.name))) {
    const times: number[] = [];
    for (let i = 0; i < (runs ?? bench.runs); i++) times.push(time(bench.command));
    results[bench.name] = {
      medianMs: Math.round(median(times)),
      runsMs: times.map(Math.round),
      what: bench.what,
    };
    console.log(
      `${bench.name.padEnd(10)} median ${String(Math.round(median(times))).padStart(6)} ms  runs ${times.map((t) => Math.round(t)).join(", ")}  (${bench.what})`,
    );
  }
  if (results.floor && results.stacks) {
    console.log(
      `stacks / floor = ${(results.stacks.medianMs / results.floor.medianMs).toFixed(2)}x`,
    );
  }
  if (values.json) {
    mkdirSync(path.dirname(path.resolve(values.json)), { recursive: true });
    writeFileSync(
      values.json,
      JSON.stringify(
        { generatedAt: new Date().toISOString(), cpus: cpus().length, results },
        null,
        2,
      ),
    );
  }
}

main();
