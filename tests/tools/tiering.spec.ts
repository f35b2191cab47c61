import { expect } from "chai";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import * as path from "node:path";
import { PLAN } from "../../tools/bench/index";
import { PLAN_NODE_OPTIONS } from "../../tools/bench/scale";
import { bootstrap, childArgs } from "../../tools/engine/child";
import { TIERING_FLAG } from "../../tools/engine/tiering";
import { POOL_FLAG } from "../../tools/engine/v8-pool";
import { runEarly } from "../helpers/early";

const ROOT = path.resolve(__dirname, "..", "..");

describe("tools/engine/tiering", () => {
  // V8's own list of its flags, asked for when the file loads (helpers/early.ts).
  const v8Options = runEarly(process.execPath, ["--v8-options"]);

  it("TIERING_FLAG: names a flag this Node's V8 knows, and raises it above V8's own default", async () => {
    const [name, value] = TIERING_FLAG.split("=");
    // V8 ignores a flag it does not know with a warning: a renamed flag would silently do nothing.
    const options = (await v8Options).stdout;
    const declared = new RegExp(`${name}=(\\d+)\\s*$`, "m").exec(
      options.slice(options.indexOf(`  ${name} (`)),
    );
    expect(options, `${name} in node --v8-options`).to.include(`  ${name} (`);
    expect(declared, `the default of ${name}`).to.not.equal(null);
    expect(Number(value)).to.be.greaterThan(Number(declared![1]));
  });

  it("plan: the command sets the tiering before any other import, then installs the native loading of packages (its workers start at the next)", () => {
    const source = readFileSync(path.join(ROOT, "tools", "plan", "cli.ts"), "utf8");
    const imports = [...source.matchAll(/^import [^;]*?"([^"]+)";/gms)].map((m) => m[1]);
    expect(imports.slice(0, 3)).to.deep.equal([
      "../engine/tiering",
      "../engine/native-deps",
      "./prestart",
    ]);
  });

  it("child: a child process sets the tiering before it loads the SDK", () => {
    const code = bootstrap();
    const sets = code.indexOf(`setFlagsFromString(${JSON.stringify(TIERING_FLAG)})`);
    expect(sets, "the child's bootstrap sets the flag").to.be.at.least(0);
    expect(sets).to.be.lessThan(code.indexOf("@pulumi/pulumi"));
  });
});

describe("tools/engine/tiering: V8's background threads (POOL_FLAG)", () => {
  /** The threads of a `node` process started with `flags`, as Linux lists them (started at load). */
  const threads = (flags: readonly string[]) =>
    runEarly(process.execPath, [
      ...flags,
      "-e",
      'console.log(require("node:fs").readdirSync("/proc/self/task").length)',
    ]).then((ran) => Number(ran.stdout));
  const pooled = threads([POOL_FLAG]);
  const unpooled = threads([]);

  it("sizes V8's pool to the machine: one thread fewer than its processors, at least one, where Node's default is four", async () => {
    const sized = Math.max(1, availableParallelism() - 1);
    expect((await pooled) - (await unpooled)).to.equal(sized - 4);
  });

  it("is on every command line that runs the plan: npm's scripts, the benchmarks, the engine's children, mocha", () => {
    const scripts = (
      JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts.plan.split(" ")).to.deep.equal(PLAN);
    expect(scripts.diagrams.split(" ").slice(0, 2)).to.deep.equal(["node", POOL_FLAG]);
    expect(PLAN_NODE_OPTIONS).to.deep.equal(PLAN.slice(1, -1));
    expect(childArgs()[0]).to.equal(POOL_FLAG);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mocharc = require(path.join(ROOT, ".mocharc.cjs")) as { "node-option": string[] };
    expect(mocharc["node-option"]).to.include(POOL_FLAG.replace(/^--/, ""));
  });
});
