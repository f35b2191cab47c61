import { expect } from "chai";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import { bootstrap } from "../../tools/engine/child";
import {
  INSTALL_COMPILE_CACHE,
  PROJECT_DIR,
  compileCacheStats,
  installCompileCache,
  precompileProject,
} from "../../tools/engine/compile-cache";
import type { CompilingModule, Loaders } from "../../tools/engine/native-deps";
import { workerBootstrap } from "../../tools/engine/worker";
import { tempDir } from "../helpers/temp";

type LoadedModule = CompilingModule & { exports: Record<string, unknown>; filename: string };

/** A module for `file`, loaded through the table's `.ts` loader as Node's Module.load does. */
function load(loaders: Loaders, file: string): LoadedModule {
  const module = new Module(file) as unknown as LoadedModule & { paths: string[] };
  module.filename = file;
  module.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(
    path.dirname(file),
  );
  loaders[".ts"]!(module, file);
  return module;
}

describe("tools/engine/compile-cache", () => {
  const root = tempDir("ehealth-compile-cache-");
  const cacheDir = path.join(tempDir("ehealth-compile-cache-out-"), "cache");
  const write = (relative: string, text: string) => {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };
  const entries = () => readdirSync(cacheDir, { recursive: true, withFileTypes: true });
  const cachedFiles = () => entries().filter((e) => e.isFile() && e.name.endsWith(".js")).length;

  // A table whose `.ts` loader stands for tsx's: it records what it is given and loads nothing.
  const passed: string[] = [];
  const table: Loaders = {
    ".ts": (_module, filename) => {
      passed.push(path.relative(root, filename));
    },
  };

  const lib = write(
    "lib/greet.ts",
    [
      "export interface Greeting { readonly text: string }",
      "export function greet(name: string): Greeting {",
      "  return { text: `hello ${name}` };",
      "}",
      "export function fail(): never {",
      '  throw new Error("failed here");',
      "}",
      "",
    ].join("\n"),
  );
  const main = write(
    "main.ts",
    'import { greet } from "./lib/greet";\nexport const said: string = greet("ward").text;\n',
  );
  const broken = write("broken.ts", "export const x = ;\n");
  const dynamic = write(
    "dynamic.ts",
    readFileSync(path.join(__dirname, "..", "fixtures", "compile-cache", "dynamic.ts"), "utf8"),
  );
  write("node_modules/dep/index.ts", "export const dep = 1;\n");
  write(".hidden/secret.ts", "export const hidden = 1;\n");
  write("types.d.ts", "declare const declared: number;\n");

  it("precompile: compiles the project's own files once, leaving to tsx what esbuild refuses", () => {
    const first = precompileProject({ root, cacheDir });
    // lib/greet, main, broken and dynamic; not node_modules, hidden folders or declarations.
    expect(first.files).to.equal(4);
    expect(first.refused).to.deep.equal([broken]);
    // dynamic.ts compiles, but tsx adapts what it imports dynamically: it gets no entry.
    expect(first.compiled).to.equal(2);
    expect(cachedFiles()).to.equal(2);
    expect(precompileProject({ root, cacheDir }).compiled).to.equal(0);
  });

  it("install: serves the compiled files, as tsx would load them, and passes everything else on", () => {
    installCompileCache({ root, cacheDir, extensions: table });
    // main.ts requires lib/greet.ts through Node's own table, so only main.ts comes from this one.
    expect(load(table, main).exports.said).to.equal("hello ward");
    expect(compileCacheStats.served.has(main)).to.equal(true);
    expect(passed).to.deep.equal([]);
    for (const file of [broken, dynamic, path.join(root, "node_modules/dep/index.ts")]) {
      load(table, file);
    }
    load(table, path.join(PROJECT_DIR, "tools", "engine", "compile-cache.ts"));
    load(table, `${lib}?namespace=sdk`);
    expect(passed).to.deep.equal([
      "broken.ts",
      "dynamic.ts",
      path.join("node_modules", "dep", "index.ts"),
      path.relative(root, path.join(PROJECT_DIR, "tools", "engine", "compile-cache.ts")),
      "lib/greet.ts?namespace=sdk",
    ]);
  });

  it("install: a second install in the same table keeps one cache in front of tsx", () => {
    const before = table[".ts"];
    installCompileCache({ root, cacheDir, extensions: table });
    expect(table[".ts"]).to.equal(before);
  });

  it("maps an error's stack to the TypeScript line it was thrown on", () => {
    const fail = load(table, lib).exports.fail as () => never;
    let stack = "";
    try {
      fail();
    } catch (err) {
      stack = (err as Error).stack ?? "";
    }
    // Line 6, column 9 of lib/greet.ts: `throw new Error(...)` (the compiled code is one line).
    expect(stack).to.include(`${lib}:6:9`);
  });

  it("a file whose text changed since the build goes to tsx, and the next build replaces its entry", () => {
    write("main.ts", 'export const said = "changed";\n');
    passed.length = 0;
    load(table, main);
    expect(passed).to.deep.equal(["main.ts"]);
    const rebuilt = precompileProject({ root, cacheDir });
    expect(rebuilt.compiled).to.equal(1);
    // The older text's entry is gone: two entries, as before the change.
    expect(cachedFiles()).to.equal(2);
    passed.length = 0;
    expect(load(table, main).exports.said).to.equal("changed");
    expect(passed).to.deep.equal([]);
  });

  it("the tests' thread loads this project's files from the cache (tests/setup.ts)", () => {
    // This file loaded through it; a project file it passed on to tsx was one whose output tsx
    // must adapt (a dynamic import or import's meta object).
    expect(compileCacheStats.served.has(__filename)).to.equal(true);
    const project = [...compileCacheStats.passed].filter((f) => f.startsWith(PROJECT_DIR));
    for (const file of project) {
      expect(readFileSync(file, "utf8"), file).to.match(/\bimport\s*\(|\bimport\.meta\b/);
    }
  });

  it("workers and children put it in front of tsx, after native-deps and before the engine's files", () => {
    for (const [who, code, engine] of [
      ["a worker's bootstrap", workerBootstrap(), "worker.ts"],
      ["a child's bootstrap", bootstrap(), "child.ts"],
    ]) {
      const install = code.indexOf(INSTALL_COMPILE_CACHE);
      expect(install, who).to.be.greaterThan(code.indexOf("native-deps.ts"));
      expect(code.lastIndexOf(engine), who).to.be.greaterThan(install);
    }
  });
});
