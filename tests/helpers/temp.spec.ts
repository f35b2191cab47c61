import { expect } from "chai";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { runEarly } from "./early";

describe("tests/helpers/temp (tempDir)", () => {
  // A process of its own, started when the file loads (helpers/early.ts): the folders outlive a
  // test by design and go when the process ends.
  const script = [
    `const { tempDir } = require(${JSON.stringify(path.join(__dirname, "temp.ts"))});`,
    `const { mkdirSync, writeFileSync, existsSync } = require("node:fs");`,
    `const a = tempDir("ehealth-temp-spec-"), b = tempDir("ehealth-temp-spec-");`,
    `mkdirSync(a + "/nested"); writeFileSync(a + "/nested/file.txt", "x");`,
    `console.log(JSON.stringify({ a, b, existed: existsSync(a + "/nested/file.txt") && existsSync(b) }));`,
  ].join("\n");
  const made = runEarly(process.execPath, ["--require", "tsx/cjs", "-e", script], {
    cwd: path.resolve(__dirname, "..", ".."),
  });

  it("makes a folder of its own for each call, and removes every one, contents and all, when the process exits", async () => {
    const { stdout: out } = await made;
    const { a, b, existed } = JSON.parse(out.trim().split("\n").at(-1)!) as {
      a: string;
      b: string;
      existed: boolean;
    };
    expect(existed, "the folders exist while the process runs").to.equal(true);
    expect(a).to.not.equal(b);
    expect(path.basename(a)).to.match(/^ehealth-temp-spec-/);
    expect(existsSync(a), `${a} is left behind`).to.equal(false);
    expect(existsSync(b), `${b} is left behind`).to.equal(false);
  });
});
