/**
 * The commands the documentation gives must be ones this repository supports: every `npm run`
 * script exists and takes the flags given, every `pulumi` command names a real stack, key, pack and
 * config file, every input file a command names exists, and every link to a file of the repository
 * leads somewhere.
 */
import { expect } from "chai";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { CONFIG_KEYS } from "../stacks/config";
import { main as bootstrap } from "../tools/bootstrap/cli";
import { command as benchCommand } from "../tools/bench/index";
import { PROJECT_DIR } from "../tools/engine";
import { main as plan } from "../tools/plan/cli";
import { PROJECT_STACKS } from "../tools/plan/inputs";
import { command as syntheticCommand } from "../tools/synthetic/cli";

function markdownFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(PROJECT_DIR, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? walk(path.join(dir, e.name))
        : e.name.endsWith(".md")
          ? [path.join(dir, e.name)]
          : [],
    );
  return ["README.md", ...walk("docs")];
}

/** Commands in shell blocks (continuations joined) and in inline code, with where they are. */
function commandsOf(file: string): { where: string; command: string }[] {
  const text = readFileSync(path.join(PROJECT_DIR, file), "utf8");
  const found: { where: string; command: string }[] = [];
  const fence = /```(\w*)\n([\s\S]*?)```/g;
  for (const m of text.matchAll(fence)) {
    if (!["", "sh", "bash", "shell"].includes(m[1])) continue;
    const joined = m[2].replace(/\\\n\s*/g, " ");
    for (const line of joined.split("\n")) {
      const command = line.replace(/\s+#.*$/, "").trim();
      if (command && !command.startsWith("#")) found.push({ where: file, command });
    }
  }
  const prose = text.replace(fence, "");
  for (const m of prose.matchAll(/`((?:npm|pulumi) [^`]+)`/g)) {
    found.push({ where: file, command: m[1] });
  }
  return found.flatMap(({ where, command }) =>
    command.split(/\s*&&\s*/).map((c) => ({ where, command: c.trim() })),
  );
}

/** Shell words, quotes removed. */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

const scripts = (
  JSON.parse(readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;

/** The flags each command with options takes, as its own --help (or option table) says. */
async function flagsOf(): Promise<Record<string, Set<string>>> {
  const flags = (text: string) => new Set(text.match(/--[a-z][a-z-]*/g) ?? []);
  const planHelp: string[] = [];
  await plan(
    ["--help"],
    (s) => planHelp.push(s),
    (s) => planHelp.push(s),
  );
  const bootstrapHelp: string[] = [];
  bootstrap(["--help"], { out: (s) => bootstrapHelp.push(s), err: (s) => bootstrapHelp.push(s) });
  return {
    plan: flags(planHelp.join("\n")),
    bootstrap: flags(bootstrapHelp.join("\n")),
    synthetic: flags(syntheticCommand().helpInformation()),
    bench: flags(benchCommand().helpInformation()),
  };
}

/** Flags whose value is a file or folder of this repository the command reads. */
const INPUTS = new Set([
  "--program",
  "--config",
  "--policy-config",
  "--policy-pack",
  "--policy-pack-config",
]);

const PULUMI = new Set([
  "login",
  "stack",
  "preview",
  "up",
  "config",
  "state",
  "import",
  "refresh",
  "destroy",
]);
const PULUMI_STACK = new Set(["select", "init", "output", "change-secrets-provider", "ls"]);
const placeholder = (w: string) => /[<>$]/.test(w);

function check(command: string, flags: Record<string, Set<string>>): string[] {
  const w = words(command);
  const problems: string[] = [];
  const inputs = (args: string[]) => {
    args.forEach((a, i) => {
      if (INPUTS.has(a) && args[i + 1] && !placeholder(args[i + 1])) {
        if (!existsSync(path.join(PROJECT_DIR, args[i + 1]))) {
          problems.push(`${a} ${args[i + 1]} does not exist`);
        }
      }
      if (a === "--stack" && args[i + 1] && !placeholder(args[i + 1])) {
        if (![...PROJECT_STACKS, "all"].includes(args[i + 1])) {
          problems.push(`--stack ${args[i + 1]} is not a stack`);
        }
      }
    });
  };
  if (w[0] === "npm") {
    if (w[1] === "ci" || w[1] === "test")
      return w.length === 2 ? [] : [`npm ${w[1]} takes no arguments here`];
    if (w[1] !== "run") return [`npm ${w[1]} is not a command the project documents`];
    const script = w[2];
    // Prose that names the command itself ("every `npm run` command") is not an invocation.
    if (script === undefined) return [];
    if (!(script in scripts)) return [`npm run ${script}: no such script in package.json`];
    const dashes = w.indexOf("--");
    const args = dashes < 0 ? [] : w.slice(dashes + 1);
    for (const a of args.filter((x) => x.startsWith("--"))) {
      if (!flags[script]?.has(a)) problems.push(`npm run ${script} takes no ${a}`);
    }
    inputs(args);
    return problems;
  }
  if (w[0] === "pulumi") {
    if (!PULUMI.has(w[1])) return [`pulumi ${w[1]} is not a command the runbooks may use`];
    if (w[1] === "stack") {
      if (!PULUMI_STACK.has(w[2])) problems.push(`pulumi stack ${w[2]} is not a stack command`);
      if ((w[2] === "select" || w[2] === "init") && w[3] !== undefined && !placeholder(w[3])) {
        if (!(PROJECT_STACKS as readonly string[]).includes(w[3])) {
          problems.push(`pulumi stack ${w[2]} ${w[3]}: no such stack`);
        }
      }
    }
    if (w[1] === "config" && w[2] === "set") {
      const key = w.slice(3).find((x) => !x.startsWith("--"));
      const name = key?.split(/[.[]/)[0];
      if (name && !placeholder(name) && !CONFIG_KEYS.some((k) => k.key === name)) {
        problems.push(`pulumi config set ${name}: not a key the program reads`);
      }
    }
    inputs(w);
    return problems;
  }
  return [];
}

describe("commands in the documentation", () => {
  let flags: Record<string, Set<string>>;
  before(async () => {
    flags = await flagsOf();
  });

  const files = markdownFiles();

  it("are found in the README, the docs and the runbooks", () => {
    const all = files.flatMap(commandsOf);
    expect(all.filter((c) => c.command.startsWith("npm run ")).length).to.be.greaterThan(10);
    expect(all.filter((c) => c.command.startsWith("pulumi ")).length).to.be.greaterThan(10);
    expect(new Set(all.map((c) => c.where))).to.include.members([
      "README.md",
      path.join("docs", "runbooks", "close-out.md"),
      path.join("docs", "deploy.md"),
    ]);
  });

  for (const file of files) {
    it(`name only scripts, flags, stacks, keys and files that exist, in ${file}`, () => {
      const problems = commandsOf(file).flatMap(({ command }) =>
        check(command, flags).map((p) => `${command}: ${p}`),
      );
      expect(problems).to.deep.equal([]);
    });
  }

  it("would catch a script, a flag, a stack or a file that does not exist", () => {
    expect(check("npm run deploy", flags)).to.deep.equal([
      "npm run deploy: no such script in package.json",
    ]);
    expect(check("npm run plan -- --stacks ireland", flags)).to.deep.equal([
      "npm run plan takes no --stacks",
    ]);
    expect(check("pulumi stack select london", flags)).to.deep.equal([
      "pulumi stack select london: no such stack",
    ]);
    expect(check("pulumi preview --policy-pack policies", flags)).to.deep.equal([
      "--policy-pack policies does not exist",
    ]);
    expect(
      check("pulumi config set --path 'ehealth:reserch.enclaves[0].status' closed", flags),
    ).to.deep.equal(["pulumi config set ehealth:reserch: not a key the program reads"]);
  });

  it("link only to files of the repository that exist", () => {
    const broken: string[] = [];
    for (const file of files) {
      const text = readFileSync(path.join(PROJECT_DIR, file), "utf8");
      for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/.test(target)) continue;
        if (!existsSync(path.join(PROJECT_DIR, path.dirname(file), target))) {
          broken.push(`${file}: ${target}`);
        }
      }
    }
    expect(broken).to.deep.equal([]);
  });
});
