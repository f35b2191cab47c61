/**
 * Runs npm scripts in lanes, the lanes side by side, and fails if any script fails. A lane is
 * scripts joined by "+", run one after the other (a failure stops its lane). `npm test` runs
 * "check" (typecheck and typed lint on one TypeScript program) beside "format:check+mocha": two
 * lanes for two cores (three heavy processes at once thrash and were slower, measured). Each
 * script's output is printed whole when it ends.
 *
 *   node --import tsx tools/parallel.ts check format:check+mocha
 */
import { spawn } from "node:child_process";

interface Outcome {
  readonly script: string;
  readonly code: number;
  readonly output: string;
  readonly ms: number;
}

function run(script: string): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", script], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (code) =>
      resolve({ script, code: code ?? 1, output, ms: Date.now() - started }),
    );
  });
}

async function main(): Promise<number> {
  const lanes = process.argv.slice(2).map((lane) => lane.split("+").filter(Boolean));
  if (lanes.length === 0 || lanes.some((l) => l.length === 0)) {
    console.error("usage: tools/parallel.ts <script>[+<script>...] [<script>[+<script>...] ...]");
    return 2;
  }
  const runLane = async (scripts: string[]): Promise<Outcome[]> => {
    const done: Outcome[] = [];
    for (const script of scripts) {
      const o = await run(script);
      report(o);
      done.push(o);
      if (o.code !== 0) break;
    }
    return done;
  };
  const outcomes = (await Promise.all(lanes.map(runLane))).flat();
  const ran = new Set(outcomes.map((o) => o.script));
  const skipped = lanes.flat().filter((s) => !ran.has(s));
  const failed = [
    ...outcomes.filter((o) => o.code !== 0).map((o) => o.script),
    ...skipped.map((s) => `${s} (not run)`),
  ];
  console.log(failed.length ? `npm test failed: ${failed.join(", ")}` : "npm test passed");
  return failed.length ? 1 : 0;
}

function report(o: Outcome): void {
  {
    // npm's own notices about the user's npmrc are not ours to show.
    const text = o.output
      .split("\n")
      .filter((l) => !l.startsWith("npm warn Unknown user config"))
      .join("\n")
      .trim();
    console.log(
      `── ${o.script}: ${o.code === 0 ? "ok" : `FAILED (exit ${o.code})`} in ${(o.ms / 1000).toFixed(1)} s`,
    );
    if (text) console.log(text);
  }
}

void main().then((code) => process.exit(code));
