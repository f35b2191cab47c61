/**
 * Runs npm scripts in lanes, the lanes side by side, and fails if any script fails. A lane is
 * scripts joined by "+", run one after the other (a failure stops its lane). `npm run verify`
 * runs "check" (typecheck and typed lint on one TypeScript program) beside "test:e2e" (the
 * end-to-end suites) then "format:check": two lanes for two cores (three heavy processes at once
 * thrash and were slower, measured). Every line a script prints is shown as it comes, prefixed by
 * the script's name, so a long run shows its progress; a summary of each script and the verdict
 * come last. A script runs as `npm run` runs it (its command in a shell, node_modules/.bin first
 * on PATH, npm_lifecycle_event naming it) without starting npm for it, which cost each lane about
 * a second; a script with pre or post scripts is left to npm.
 *
 *   node --import tsx tools/parallel.ts test:e2e+format:check check
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { POOL_FLAG } from "./engine/v8-pool";

const ROOT = path.resolve(__dirname, "..");

interface Outcome {
  readonly script: string;
  readonly code: number;
  readonly ms: number;
}

/** npm's own notices about the user's npmrc are not ours to show. */
const NOISE = /^npm warn Unknown user config/;

/** Splits a stream into lines and hands each complete one on, prefixed. */
export function lines(
  prefix: string,
  write: (line: string) => void,
): { push(chunk: Buffer): void; end(): void } {
  let rest = "";
  return {
    push(chunk) {
      const text = rest + chunk.toString();
      const parts = text.split(/\r?\n/);
      rest = parts.pop() ?? "";
      for (const line of parts) if (!NOISE.test(line)) write(`${prefix}${line}`);
    },
    end() {
      if (rest && !NOISE.test(rest)) write(`${prefix}${rest}`);
      rest = "";
    },
  };
}

export interface Invocation {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The lanes' environment: each `node` they start sizes V8's pool of background threads to the
 * machine (tools/engine/v8-pool.ts), unless NODE_OPTIONS already sizes it. Two lanes
 * on two cores, each process with Node's default four threads helping its collector, thrashed:
 * `npm run verify` took 27.8 s against 24.7 s with it (medians of 4 interleaved pairs here, before
 * the end-to-end lane joined it).
 */
export function laneEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const options = env.NODE_OPTIONS ?? "";
  if (/(^|\s)--v8-pool-size(=|\s|$)/.test(options)) return env;
  return { ...env, NODE_OPTIONS: options ? `${options} ${POOL_FLAG}` : POOL_FLAG };
}

/** How to run a package.json script as npm would, without npm when it has no pre or post script. */
export function invocation(
  script: string,
  scripts: Readonly<Record<string, string>>,
  given: NodeJS.ProcessEnv = process.env,
  root = ROOT,
): Invocation {
  const command = scripts[script];
  if (command === undefined) throw new Error(`no script "${script}" in package.json`);
  const env = laneEnv(given);
  if (scripts[`pre${script}`] !== undefined || scripts[`post${script}`] !== undefined)
    return { command: "npm", args: ["run", "--silent", script], env };
  const bin = path.join(root, "node_modules", ".bin");
  return {
    command: "sh",
    args: ["-c", command],
    env: {
      ...env,
      PATH: env.PATH ? `${bin}${path.delimiter}${env.PATH}` : bin,
      npm_lifecycle_event: script,
      npm_lifecycle_script: command,
    },
  };
}

function packageScripts(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  return pkg.scripts ?? {};
}

export function run(
  script: string,
  write: (line: string) => void,
  width = script.length,
): Promise<Outcome> {
  const started = Date.now();
  const prefix = `[${script}]`.padEnd(width + 3);
  return new Promise((resolve) => {
    const how = invocation(script, packageScripts());
    const child = spawn(how.command, [...how.args], {
      cwd: ROOT,
      env: how.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out = lines(prefix, write);
    const err = lines(prefix, write);
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("close", (code) => {
      out.end();
      err.end();
      resolve({ script, code: code ?? 1, ms: Date.now() - started });
    });
  });
}

async function main(): Promise<number> {
  const lanes = process.argv.slice(2).map((lane) => lane.split("+").filter(Boolean));
  if (lanes.length === 0 || lanes.some((l) => l.length === 0)) {
    console.error("usage: tools/parallel.ts <script>[+<script>...] [<script>[+<script>...] ...]");
    return 2;
  }
  const scripts = packageScripts();
  const unknown = lanes.flat().find((s) => scripts[s] === undefined);
  if (unknown) {
    console.error(`parallel: no script "${unknown}" in package.json`);
    return 2;
  }
  const width = Math.max(...lanes.flat().map((s) => s.length));
  const write = (line: string) => process.stdout.write(`${line}\n`);
  const runLane = async (scripts: string[]): Promise<Outcome[]> => {
    const done: Outcome[] = [];
    for (const script of scripts) {
      write(`${`[${script}]`.padEnd(width + 3)}started`);
      const o = await run(script, write, width);
      write(
        `${`[${script}]`.padEnd(width + 3)}${o.code === 0 ? "ok" : `FAILED (exit ${o.code})`} in ${(o.ms / 1000).toFixed(1)} s`,
      );
      done.push(o);
      if (o.code !== 0) break;
    }
    return done;
  };
  const outcomes = (await Promise.all(lanes.map(runLane))).flat();
  const ran = new Set(outcomes.map((o) => o.script));
  const skipped = lanes.flat().filter((s) => !ran.has(s));
  for (const o of outcomes)
    write(
      `── ${o.script}: ${o.code === 0 ? "ok" : `FAILED (exit ${o.code})`} in ${(o.ms / 1000).toFixed(1)} s`,
    );
  const failed = [
    ...outcomes.filter((o) => o.code !== 0).map((o) => o.script),
    ...skipped.map((s) => `${s} (not run)`),
  ];
  // Named as npm names the script that ran this (npm run verify), or by its lanes when run directly.
  const name = process.env.npm_lifecycle_event ?? process.argv.slice(2).join(" ");
  write(failed.length ? `${name} failed: ${failed.join(", ")}` : `${name} passed`);
  return failed.length ? 1 : 0;
}

if (require.main === module) void main().then((code) => process.exit(code));
