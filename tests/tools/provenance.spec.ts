import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { provenanceOf } from "../../tools/plan/provenance";
import { tempDir } from "../helpers/temp";

const source = { path: "policy-pack/config.json", sha256: "sha256:00", config: {} };

function repository(): string {
  const dir = tempDir("ehealth-provenance-");
  const git = (...args: string[]) => execFileSync("git", ["-C", dir, ...args], { stdio: "pipe" });
  git("init", "-q");
  writeFileSync(path.join(dir, "index.ts"), "export {};\n");
  git("add", "index.ts");
  git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "first");
  return dir;
}

describe("plan provenance", () => {
  it("names the program's commit and a clean tree when its tracked files match it", async () => {
    const dir = repository();
    const head = execFileSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8" });
    const facts = await provenanceOf(dir, source);
    expect(facts.commit).to.equal(head.trim());
    expect(facts.dirty).to.equal(false);
  });

  it("says the tree differed when a tracked file changed since the commit", async () => {
    const dir = repository();
    writeFileSync(path.join(dir, "index.ts"), "export const changed = true;\n");
    const facts = await provenanceOf(dir, source);
    expect(facts.commit).to.match(/^[0-9a-f]{40}$/);
    expect(facts.dirty).to.equal(true);
  });

  it("counts an untracked file as no difference, a deleted file and a staged change as one", async () => {
    const dir = repository();
    const file = path.join(dir, "index.ts");
    writeFileSync(path.join(dir, "notes.txt"), "not tracked\n");
    expect((await provenanceOf(dir, source)).dirty, "untracked").to.equal(false);
    rmSync(file);
    expect((await provenanceOf(dir, source)).dirty, "deleted").to.equal(true);
    writeFileSync(file, "export const staged = true;\n");
    execFileSync("git", ["-C", dir, "add", "index.ts"]);
    expect((await provenanceOf(dir, source)).dirty, "staged").to.equal(true);
  });

  it("gives no commit and no dirty flag in a repository without a commit", async () => {
    const dir = tempDir("ehealth-provenance-empty-");
    execFileSync("git", ["-C", dir, "init", "-q"]);
    writeFileSync(path.join(dir, "index.ts"), "export {};\n");
    execFileSync("git", ["-C", dir, "add", "index.ts"]);
    const facts = await provenanceOf(dir, source);
    expect(facts.commit).to.equal(null);
    expect(facts.dirty).to.equal(null);
  });

  it("gives no commit and no dirty flag for a program outside any git repository", async () => {
    const dir = tempDir("ehealth-provenance-none-");
    const facts = await provenanceOf(dir, source);
    expect(facts.commit).to.equal(null);
    expect(facts.dirty).to.equal(null);
  });
});
