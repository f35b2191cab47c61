/**
 * The plan at scale: this project's program planned with generated stack files, ireland with 1, 10
 * and 50 research enclaves beside oregon and a third region stack (london, eu-west-2), by the real
 * command (`plan -- --program <project> --quiet --no-typecheck`) in a process of its own per size.
 * Reports per size the resources, wall time, peak memory (the process's maximum resident set,
 * its worker threads included) and time per resource, and the time each resource added between two
 * sizes cost (flat when the plan grows linearly). JSON on the last line for `npm run bench`.
 *
 *   npm run bench -- --only scale
 *   node --require tsx/cjs tools/bench/scale.ts --sizes 1,10,50 --runs 3
 *
 * The generated project holds its stack files, a copy of stacks/ (the program's folder, where the
 * plan runs, as Pulumi runs it: worker threads, as `npm run plan` in this repository) and links to
 * this repository's infra and node_modules. The type check is left out: it is cached per program file and
 * the same at every size.
 */
import { Command, InvalidArgumentError } from "commander";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { CONSOLE, Io, parseOptions, positive } from "../cli";
import { POOL_FLAG } from "../engine/v8-pool";

const ROOT = path.resolve(__dirname, "..", "..");
export const DEFAULT_SIZES = [1, 10, 50];
/** Enclave ranges are /20s from 10.100.0.0 up: 16 to a /16, up to 10.255.240.0/20. */
export const MAX_ENCLAVES = (256 - 100) * 16;

/** The third region: london, a secondary like oregon, with a VPC range of its own. */
export const THIRD = { stack: "london", region: "eu-west-2", vpcCidr: "10.60.0.0/16" };

interface StackFile {
  config: Record<string, unknown>;
  [key: string]: unknown;
}

function readStack(name: string): StackFile {
  return parse(readFileSync(path.join(ROOT, `Pulumi.${name}.yaml`), "utf8")) as StackFile;
}

/**
 * Enclave `i` (0-based): an open study with a workstation, a steward, a researcher and a notice
 * list, as examples/research/Pulumi.ireland.yaml declares one, in a /20 of its own from
 * 10.100.0.0 up (clear of every stack's /16: ireland 10.20, oregon 10.40, london 10.60).
 */
export function enclave(i: number): Record<string, unknown> {
  const second = 100 + Math.floor(i / 16);
  return {
    id: `study${String(i + 1).padStart(4, "0")}`,
    irbProtocol: `IRB-2026-${String(1000 + i)}`,
    vpcCidr: `10.${second}.${(i % 16) * 16}.0/20`,
    workstation: { instanceType: "m7i.xlarge", dataVolumeGb: 100 },
    stewards: ["user/data-steward"],
    researchers: [`user/researcher-${i + 1}`],
    notify: ["research-office@example.org"],
  };
}

/** The stack files of a scaled project: ireland with `enclaves` studies, oregon and london. */
export function scaledStacks(enclaves: number): Record<string, StackFile> {
  const ireland = readStack("ireland");
  // Required with enclaves (stacks/config.ts), as in examples/research/Pulumi.ireland.yaml.
  ireland.config["ehealth:deployerArn"] ??= "arn:aws:iam::123456789012:role/pulumi-deploy";
  ireland.config["ehealth:research"] = {
    enclaves: Array.from({ length: enclaves }, (_, i) => enclave(i)),
  };
  const london = readStack("oregon");
  london.config["aws:region"] = THIRD.region;
  london.config["ehealth:vpcCidr"] = THIRD.vpcCidr;
  return { ireland, oregon: readStack("oregon"), [THIRD.stack]: london };
}

/** A project folder whose stacks are scaledStacks(enclaves); the caller removes it. */
export function scaledProject(enclaves: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), `ehealth-scale-${enclaves}-`));
  for (const f of ["Pulumi.yaml", "package.json", "tsconfig.json"])
    cpSync(path.join(ROOT, f), path.join(dir, f));
  // The program's folder is its working directory (Pulumi.yaml's main is a file in it): a copy,
  // so that the plan's process can run there; what it imports is this repository's own.
  cpSync(path.join(ROOT, "stacks"), path.join(dir, "stacks"), { recursive: true });
  for (const d of ["infra", "node_modules"])
    symlinkSync(path.join(ROOT, d), path.join(dir, d), "dir");
  for (const [stack, file] of Object.entries(scaledStacks(enclaves)))
    writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify(file));
  return dir;
}

/** The child's `node` options: package.json's plan script's (tools/bench/index.ts, PLAN). */
export const PLAN_NODE_OPTIONS = [POOL_FLAG, "--require", "tsx/cjs"];

// The child: the plan's own CLI, then its exit code and peak memory on stdout's last line.
const CHILD = `
const { main } = require(${JSON.stringify(path.join(ROOT, "tools", "plan", "cli.ts"))});
main(process.argv.slice(1), () => undefined, (line) => console.error(line)).then((code) => {
  console.log(JSON.stringify({ code, maxRssKb: process.resourceUsage().maxRSS }));
  process.exit(0);
});
`;

export interface ScaleRow {
  readonly enclaves: number;
  /** Resources per stack. */
  readonly stacks: Record<string, number>;
  readonly resources: number;
  readonly ms: number;
  readonly maxRssMb: number;
  readonly msPerResource: number;
  /** The plan's verdict: pass (exit 0) or fail (exit 1: a mandatory or fails-deploy finding). */
  readonly verdict: "pass" | "fail";
}

function planOnce(enclaves: number): ScaleRow {
  const dir = scaledProject(enclaves);
  const json = path.join(dir, "plan.json");
  try {
    const started = process.hrtime.bigint();
    const result = spawnSync(
      process.execPath,
      [...PLAN_NODE_OPTIONS, "-e", CHILD, "--"].concat([
        "--program",
        dir,
        "--quiet",
        "--no-typecheck",
        "--json",
        json,
      ]),
      { cwd: path.join(dir, "stacks"), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const lastLine = (text: string | null) => (text ?? "").trim().split("\n").pop() ?? "";
    let child: { code: number; maxRssKb: number };
    try {
      child = JSON.parse(lastLine(result.stdout)) as typeof child;
    } catch {
      throw new Error(`the plan of ${enclaves} enclaves failed: ${lastLine(result.stderr)}`);
    }
    if (child.code !== 0 && child.code !== 1) {
      throw new Error(
        `the plan of ${enclaves} enclaves refused its input: ${lastLine(result.stderr)}`,
      );
    }
    const report = JSON.parse(readFileSync(json, "utf8")) as {
      summary: { resources: number };
      stacks: { stack: string; resources: unknown[] }[];
    };
    const resources = report.summary.resources;
    return {
      enclaves,
      stacks: Object.fromEntries(report.stacks.map((s) => [s.stack, s.resources.length])),
      resources,
      ms: Math.round(ms),
      maxRssMb: Math.round(child.maxRssKb / 1024),
      msPerResource: Number((ms / resources).toFixed(2)),
      verdict: child.code === 0 ? "pass" : "fail",
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ScaleResult {
  readonly runs: number;
  readonly rows: ScaleRow[];
  /** What each resource added between two sizes cost: flat when growth is linear. */
  readonly marginal: { from: number; to: number; msPerAddedResource: number }[];
}

/** Plans every size `runs` times, rounds interleaving the sizes; keeps each size's median run. */
export function measureScale(sizes: readonly number[], runs: number): ScaleResult {
  const attempts = new Map<number, ScaleRow[]>(sizes.map((s) => [s, []]));
  // Rounds interleave the sizes, so that a machine that slows down during the run weighs on all.
  for (let round = 0; round < runs; round++)
    for (const size of sizes) attempts.get(size)!.push(planOnce(size));
  const rows = sizes.map((size) => {
    const sorted = [...attempts.get(size)!].sort((a, b) => a.ms - b.ms);
    return sorted[Math.floor(sorted.length / 2)];
  });
  const marginal = rows.slice(1).map((row, i) => ({
    from: rows[i].enclaves,
    to: row.enclaves,
    msPerAddedResource: Number(
      ((row.ms - rows[i].ms) / Math.max(1, row.resources - rows[i].resources)).toFixed(2),
    ),
  }));
  return { runs, rows, marginal };
}

/** The table `npm run bench` prints: a header, a row per size, and the marginal costs. */
export function renderScale(result: ScaleResult): string[] {
  const stacks = [...new Set(result.rows.flatMap((r) => Object.keys(r.stacks)))].sort();
  const header = [
    "enclaves",
    "resources",
    `(${stacks.join("/")})`,
    "time ms",
    "peak MB",
    "ms/resource",
    "verdict",
  ];
  const lines = result.rows.map((r) => [
    String(r.enclaves),
    String(r.resources),
    `(${stacks.map((s) => r.stacks[s] ?? 0).join("/")})`,
    String(r.ms),
    String(r.maxRssMb),
    r.msPerResource.toFixed(2),
    r.verdict,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
  const slopes = result.marginal
    .map((m) => `${m.from} to ${m.to} enclaves: ${m.msPerAddedResource} ms`)
    .join(", ");
  return [
    `the plan of ireland (with enclaves), oregon and ${THIRD.stack}, median of ${result.runs} run${result.runs > 1 ? "s" : ""}`,
    row(header),
    ...lines.map(row),
    ...(slopes ? [`time per added resource: ${slopes}`] : []),
  ];
}

function sizesOf(text: string): number[] {
  const sizes = text.split(",").map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 0 || n > MAX_ENCLAVES))
    throw new InvalidArgumentError(
      `${text} is not a list of enclave counts from 0 to ${MAX_ENCLAVES} (such as 1,10,50)`,
    );
  return sizes;
}

export function command(): Command {
  return new Command("scale")
    .description(
      `Plan this project with ireland holding each number of research enclaves, beside oregon and ${THIRD.stack} (${THIRD.region}), and print resources, time, peak memory and time per resource for each size; JSON on the last line.`,
    )
    .option("--sizes <list>", "enclave counts to plan, comma-separated", sizesOf, DEFAULT_SIZES)
    .option("--runs <n>", "plans of each size (the median is kept)", positive, 1)
    .helpOption("-h, --help", "show this help")
    .showHelpAfterError(false);
}

export function main(argv: readonly string[], io: Io = CONSOLE): number {
  const parsed = parseOptions<{ sizes: number[]; runs: number }>(command(), argv, "scale", io);
  if ("code" in parsed) return parsed.code;
  const options = parsed.options;
  try {
    const result = measureScale(options.sizes, options.runs);
    for (const line of renderScale(result)) io.out(line);
    io.out(JSON.stringify(result));
    return 0;
  } catch (err) {
    io.err(`scale: ${(err as Error).message.split("\n")[0]}`);
    return 1;
  }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
