import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { bootstrap } from "../../tools/engine/child";
import { TIERING_FLAG } from "../../tools/engine/tiering";

const ROOT = path.resolve(__dirname, "..", "..");

describe("tools/engine/tiering", () => {
  it("TIERING_FLAG: names a flag this Node's V8 knows, and raises it above V8's own default", () => {
    const [name, value] = TIERING_FLAG.split("=");
    // V8 ignores a flag it does not know with a warning: a renamed flag would silently do nothing.
    const options = execFileSync(process.execPath, ["--v8-options"], { encoding: "utf8" });
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
