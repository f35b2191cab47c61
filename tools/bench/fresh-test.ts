/**
 * `npm test` as a newcomer and CI meet it: a fresh clone of HEAD in a temporary folder, `npm ci`
 * (timed apart: the network and npm's cache are not the test suite's), then `npm test`, timed.
 * Each run gets a clone, an install and a temporary folder of its own, so that no cache of an
 * earlier run (tsx's transpile cache lives in the temporary folder, ESLint's and Prettier's under
 * node_modules/.cache) makes a run faster than a fresh clone is. The end-to-end lane that
 * `npm run verify` runs (`npm run test:e2e`, out of `npm test` since issue 17) is timed after it, in
 * the same clone, and reported apart: CI runs it too. The last line is JSON for `npm run bench`.
 *
 *   node --import tsx tools/bench/fresh-test.ts --runs 5     (the default; npm run bench passes its --runs)
 */
import { Command } from "commander";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CONSOLE, Io, parseOptions, positive } from "../cli";

const ROOT = path.resolve(__dirname, "..", "..");

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs a command to the end and returns its wall time; a failure stops the benchmark. */
function timed(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    const lines = `${result.stdout}\n${result.stderr}`.trim().split("\n");
    // Mocha's list of failures says which test failed and why; the last lines name the script.
    const failing = lines.findIndex((l) => /\d+ failing/.test(l));
    const shown = failing >= 0 ? lines.slice(failing, failing + 40) : [];
    const tail = [...shown, ...lines.slice(-3)].join(" | ");
    throw new Error(`${command} ${args.join(" ")} in ${cwd} exited ${result.status}: ${tail}`);
  }
  return Math.round(ms);
}

/** The measure: medians of five or more runs. */
const DEFAULT_RUNS = 5;

export function command(): Command {
  return new Command("fresh-test")
    .description(
      "Clone HEAD into a temporary folder, npm ci (timed apart), then time npm test and npm run test:e2e, each clone with a temporary folder of its own; medians of the runs, JSON on the last line.",
    )
    .option("--runs <n>", "fresh clones to test (the median is kept)", positive, DEFAULT_RUNS)
    .helpOption("-h, --help", "show this help")
    .showHelpAfterError(false);
}

function measure(runs: number, io: Io): void {
  const head = spawnSync("git", ["-C", ROOT, "rev-parse", "HEAD"], { encoding: "utf8" });
  const commit = head.stdout.trim();
  const testMs: number[] = [];
  const installMs: number[] = [];
  const e2eMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(path.join(tmpdir(), "ehealth-fresh-test-"));
    try {
      const clone = path.join(dir, "clone");
      const tmp = path.join(dir, "tmp");
      mkdirSync(tmp);
      const env = { ...process.env, TMPDIR: tmp };
      timed("git", ["clone", "--quiet", "--no-hardlinks", ROOT, clone], dir, env);
      timed("git", ["checkout", "--quiet", "--detach", commit], clone, env);
      installMs.push(timed("npm", ["ci", "--no-audit", "--no-fund"], clone, env));
      testMs.push(timed("npm", ["test", "--silent"], clone, env));
      e2eMs.push(timed("npm", ["run", "test:e2e", "--silent"], clone, env));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  io.out(
    `npm test on a fresh clone of ${commit.slice(0, 7)}: median ${median(testMs)} ms (${testMs.join(", ")}); npm ci before it, untimed in that figure: median ${median(installMs)} ms; the end-to-end lane after it (npm run test:e2e, part of npm run verify): median ${median(e2eMs)} ms (${e2eMs.join(", ")})`,
  );
  io.out(
    JSON.stringify({
      commit,
      medianMs: median(testMs),
      runsMs: testMs,
      npmCiMedianMs: median(installMs),
      e2eMedianMs: median(e2eMs),
      e2eRunsMs: e2eMs,
    }),
  );
}

export function main(argv: readonly string[], io: Io = CONSOLE): number {
  const parsed = parseOptions<{ runs: number }>(command(), argv, "fresh-test", io);
  if ("code" in parsed) return parsed.code;
  try {
    measure(parsed.options.runs, io);
    return 0;
  } catch (err) {
    io.err(`fresh-test: ${(err as Error).message.split("\n")[0]}`);
    return 1;
  }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
