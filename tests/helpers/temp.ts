/**
 * Temporary folders for tests, removed when the test process exits: the suites write programs,
 * stack files and reports into folders of their own, and each run left about thirty of them in
 * the system's temporary folder. Removal happens on exit rather than after each suite because
 * suites share some folders between their tests and hand them to child processes, which are gone
 * by then (mocha's root hook closes them).
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const made: string[] = [];

function removeAll(): void {
  for (const dir of made.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A folder that cannot be removed (still in use, permissions) is left: exiting matters more.
    }
  }
}

let hooked = false;

/** A new folder under the system's temporary folder (its real path), named `<prefix>XXXXXX`. */
export function tempDir(prefix: string): string {
  if (!hooked) {
    process.on("exit", removeAll);
    hooked = true;
  }
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

/** A program in a new temporary folder (outside the repository: no node_modules, no tsconfig). */
export function programDir(prefix: string, files: Readonly<Record<string, string>>): string {
  const dir = tempDir(prefix);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}
