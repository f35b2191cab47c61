/**
 * The synthetic data generator at scale: a million visits, written to files by the real command
 * (`npm run synthetic`'s script), several times, each run a process of its own. Reports the median
 * wall time and the median peak memory (the child's maximum resident set, tsx included), as JSON
 * on the last line. The targets: under 10 s and under 200 MB.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const RUNS = 3;
const VISITS = 1_000_000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// The child: the generator's own CLI, then its peak memory on stdout's last line.
const CHILD = `
const { main } = require(${JSON.stringify(path.join(ROOT, "tools", "synthetic", "cli.ts"))});
main(process.argv.slice(1)).then((code) => {
  console.log(JSON.stringify({ code, maxRssKb: process.resourceUsage().maxRSS }));
});
`;

function once(out: string): { ms: number; maxRssMb: number; bytes: number } {
  const started = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", "-e", CHILD, "--", "--visits", String(VISITS), "--out", out],
    { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const last = (result.stdout ?? "").trim().split("\n").pop() ?? "";
  const child = JSON.parse(last) as { code: number; maxRssKb: number };
  if (result.status !== 0 || child.code !== 0) {
    throw new Error(`the generator failed: ${(result.stderr ?? "").trim().split("\n").pop()}`);
  }
  return {
    ms,
    maxRssMb: child.maxRssKb / 1024,
    bytes: statSync(path.join(out, "timeseries.csv")).size,
  };
}

function main(): void {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const out = mkdtempSync(path.join(tmpdir(), "ehealth-synthetic-bench-"));
    try {
      runs.push(once(out));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  const result = {
    visits: VISITS,
    runs: RUNS,
    medianMs: Math.round(median(runs.map((r) => r.ms))),
    runsMs: runs.map((r) => Math.round(r.ms)),
    medianMaxRssMb: Math.round(median(runs.map((r) => r.maxRssMb))),
    runsMaxRssMb: runs.map((r) => Math.round(r.maxRssMb)),
    fileMb: Math.round(runs[0].bytes / 1024 / 1024),
  };
  console.log(
    `${VISITS} visits (${result.fileMb} MB of CSV): median ${result.medianMs} ms (runs ${result.runsMs.join(", ")}), peak memory median ${result.medianMaxRssMb} MB (runs ${result.runsMaxRssMb.join(", ")}); targets 10000 ms, 200 MB`,
  );
  console.log(JSON.stringify(result));
}

main();
