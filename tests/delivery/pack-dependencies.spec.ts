import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_DIR } from "../../tools/engine";

const read = <T>(...parts: string[]) =>
  JSON.parse(readFileSync(path.join(PROJECT_DIR, ...parts), "utf8")) as T;

interface Lock {
  packages: Record<
    string,
    {
      version?: string;
      dev?: boolean;
      devOptional?: boolean;
      optional?: boolean;
      dependencies?: Record<string, string>;
      license?: string;
    }
  >;
}

describe("policy-pack/package.json", () => {
  // The Pulumi CLI installs the pack's own dependencies and compiles index.ts with TypeScript
  // through ts-node; the root's dev dependencies may be absent (npm ci --omit=dev).
  const pack = read<{ dependencies: Record<string, string> }>("policy-pack", "package.json");
  const tsconfig = read<{ compilerOptions?: { types?: string[] } }>("policy-pack", "tsconfig.json");
  const lock = read<Lock>("package-lock.json");
  const compiler = [
    "typescript",
    "ts-node",
    ...(tsconfig.compilerOptions?.types ?? []).map((t) => `@types/${t}`),
  ];

  it("declares what compiling the pack needs as its own dependencies", () => {
    for (const name of compiler) expect(pack.dependencies, name).to.have.property(name);
  });

  it("keeps the lockfile in step: the workspace lists them, and a production install includes them", () => {
    expect(lock.packages["policy-pack"].dependencies).to.deep.equal(pack.dependencies);
    for (const name of compiler) {
      const entry = lock.packages[`node_modules/${name}`];
      expect(entry, name).to.not.equal(undefined);
      // Marked neither dev nor optional: an install without dev dependencies keeps it.
      expect([entry.dev, entry.devOptional, entry.optional], name).to.deep.equal([
        undefined,
        undefined,
        undefined,
      ]);
    }
  });

  it("ships under Apache-2.0 with no copyleft package among everything it installs", () => {
    // What `pulumi preview --policy-pack` installs: the pack's dependencies and theirs, as the
    // lockfile resolves them (hoisted to the root's node_modules, or nested below a package).
    const resolve = (name: string, from: string): string | undefined => {
      for (let dir = from; ; dir = path.posix.dirname(dir)) {
        const at = `${dir === "." ? "" : `${dir}/`}node_modules/${name}`;
        if (lock.packages[at]) return at;
        if (dir === "." || dir === "/") return undefined;
      }
    };
    const seen = new Set<string>();
    const queue = Object.keys(pack.dependencies).map((n) => resolve(n, "policy-pack"));
    while (queue.length) {
      const at = queue.pop();
      if (!at || seen.has(at)) continue;
      seen.add(at);
      for (const dep of Object.keys(lock.packages[at].dependencies ?? {}))
        queue.push(resolve(dep, at));
    }
    expect(seen.size).to.be.greaterThan(10);
    const copyleft = [...seen].filter((at) =>
      /\bA?GPL|\bSSPL|\bEUPL/i.test(lock.packages[at].license ?? ""),
    );
    expect(copyleft).to.deep.equal([]);
  });
});
