import { expect } from "chai";
import { execFile } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { provenanceOf } from "../../tools/plan/provenance";
import { runEarly, started } from "../helpers/early";
import { tempDir } from "../helpers/temp";

const run = promisify(execFile);

const source = { path: "policy-pack/config.json", sha256: "sha256:00", config: {} };

/** `git` in `dir`; rejects when git fails. */
const git = (dir: string, ...args: string[]) => run("git", ["-C", dir, ...args]);

/**
 * A repository with index.ts committed (`commit` false: added, not committed) and, when
 * committed, its HEAD. Made by one shell when the file loads, beside the suites before this one
 * (helpers/early.ts): starting a process costs this thread 15-45 ms whatever it runs (measured by
 * wrapping ChildProcess.prototype.spawn), and git run from here took four each.
 */
function repository(commit = true): Promise<{ dir: string; head?: string }> {
  const dir = tempDir(commit ? "ehealth-provenance-" : "ehealth-provenance-empty-");
  writeFileSync(path.join(dir, "index.ts"), "export {};\n");
  const steps = ["git init -q", "git add index.ts"];
  if (commit) {
    steps.push("git -c user.name=t -c user.email=t@example.org commit -q -m first");
    steps.push("git rev-parse HEAD");
  }
  const made = runEarly("sh", ["-c", `set -e; ${steps.join("; ")}`], { cwd: dir });
  return started(
    made.then((ran) => {
      if (ran.status !== 0) throw new Error(`making ${dir} failed: ${ran.stderr}`);
      return { dir, head: commit ? ran.stdout.trim() : undefined };
    }),
  );
}

const clean = repository();
const changed = repository();
const changing = repository();
const uncommitted = repository(false);

describe("plan provenance", () => {
  it("names the program's commit and a clean tree when its tracked files match it", async () => {
    const { dir, head } = await clean;
    expect(head).to.match(/^[0-9a-f]{40}$/);
    const facts = await provenanceOf(dir, source);
    expect(facts.commit).to.equal(head);
    expect(facts.dirty).to.equal(false);
  });

  it("says the tree differed when a tracked file changed since the commit", async () => {
    const { dir } = await changed;
    writeFileSync(path.join(dir, "index.ts"), "export const changed = true;\n");
    const facts = await provenanceOf(dir, source);
    expect(facts.commit).to.match(/^[0-9a-f]{40}$/);
    expect(facts.dirty).to.equal(true);
  });

  it("counts an untracked file as no difference, a deleted file and a staged change as one", async () => {
    const { dir } = await changing;
    const file = path.join(dir, "index.ts");
    writeFileSync(path.join(dir, "notes.txt"), "not tracked\n");
    expect((await provenanceOf(dir, source)).dirty, "untracked").to.equal(false);
    rmSync(file);
    expect((await provenanceOf(dir, source)).dirty, "deleted").to.equal(true);
    writeFileSync(file, "export const staged = true;\n");
    await git(dir, "add", "index.ts");
    expect((await provenanceOf(dir, source)).dirty, "staged").to.equal(true);
  });

  it("gives no commit and no dirty flag in a repository without a commit", async () => {
    const { dir } = await uncommitted;
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
