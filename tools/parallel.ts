/**
 * Runs npm scripts side by side and fails if any fails. `npm test` runs typecheck, lint and mocha
 * together: tsc and eslint are single-threaded and mocha waits on its stack workers, so side by
 * side they keep both cores busy. Each script's output is printed whole when it ends.
 *
 *   node --import tsx tools/parallel.ts typecheck lint mocha
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
  const scripts = process.argv.slice(2);
  if (scripts.length === 0) {
    console.error("usage: tools/parallel.ts <npm script> [<npm script> ...]");
    return 2;
  }
  const outcomes = await Promise.all(
    scripts.map((script) =>
      run(script).then((o) => {
        report(o);
        return o;
      }),
    ),
  );
  const failed = outcomes.filter((o) => o.code !== 0).map((o) => o.script);
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
