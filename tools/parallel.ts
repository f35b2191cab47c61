/**
 * Runs npm scripts in lanes, the lanes side by side, and fails if any script fails. A lane is
 * scripts joined by "+", run one after the other (a failure stops its lane). `npm test` runs
 * "mocha" beside "check+format:check" (typecheck and typed lint on one TypeScript program, then
 * the format check): two lanes for two cores (three heavy processes at once thrash and were
 * slower, measured). Mocha is the longest script, so it starts at once: queued behind the format
 * check, as it was, it finished 16 s later than it could. Every line a script prints is shown as
 * it comes, prefixed by the script's name, so a long run shows its progress; a summary of each
 * script and the verdict come last.
 *
 *   node --import tsx tools/parallel.ts mocha check+format:check
 */
import { spawn } from "node:child_process";

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

export function run(
  script: string,
  write: (line: string) => void,
  width = script.length,
): Promise<Outcome> {
  const started = Date.now();
  const prefix = `[${script}]`.padEnd(width + 3);
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", script], { stdio: ["ignore", "pipe", "pipe"] });
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
  write(failed.length ? `npm test failed: ${failed.join(", ")}` : "npm test passed");
  return failed.length ? 1 : 0;
}

if (require.main === module) void main().then((code) => process.exit(code));
