import { expect } from "chai";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import {
  ESM_HINT,
  Loader,
  Loaders,
  loadDependenciesNatively,
  nativeFormat,
  packageScope,
} from "../../tools/engine/native-deps";
import { bootstrap } from "../../tools/engine/child";
import { workerBootstrap } from "../../tools/engine/worker";
import { loadThrough } from "../helpers/loaders";
import { tempDir } from "../helpers/temp";

/** A stand-in for tsx's hook: it records the files it is given and loads them as CommonJS. */
function recordingLoader(calls: string[]): Loader {
  return (module, filename) => {
    calls.push(path.basename(path.dirname(filename)) + "/" + path.basename(filename));
    // ES module syntax, as tsx would transform it: `export const x = 1` becomes `exports.x = 1`.
    const text = readFileSync(filename, "utf8");
    module._compile(text.replace(/^export const (\w+) =/m, "exports.$1 ="), filename);
  };
}

/** Loads a file through a loader table's `.cjs` or `.js` loader, as Node would choose. */
function load(loaders: Loaders, filename: string): Record<string, unknown> {
  const extension = filename.endsWith(".cjs") && loaders[".cjs"] ? ".cjs" : ".js";
  return loadThrough(loaders, filename, extension).exports;
}

describe("tools/engine/native-deps", () => {
  const dir = tempDir("ehealth-native-deps-");
  const write = (relative: string, text: string) => {
    const file = path.join(dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };

  it("packageScope: the type of the nearest package.json, stopping at node_modules as Node does", () => {
    write("package.json", JSON.stringify({ type: "module" }));
    write("node_modules/esm/package.json", JSON.stringify({ type: "module" }));
    write("node_modules/esm/dist/cjs/package.json", JSON.stringify({ type: "commonjs" }));
    write("node_modules/plain/package.json", JSON.stringify({ name: "plain" }));
    write("node_modules/broken/package.json", "{");
    expect(packageScope(path.join(dir, "node_modules/esm/lib/a.js"))).to.equal("module");
    expect(packageScope(path.join(dir, "node_modules/esm/dist/cjs/a.js"))).to.equal("commonjs");
    expect(packageScope(path.join(dir, "node_modules/plain/a/b/c.js"))).to.equal("");
    expect(packageScope(path.join(dir, "node_modules/broken/c.js"))).to.equal("?");
    // No package.json up to node_modules: the project's own (type module) is not the scope.
    expect(packageScope(path.join(dir, "node_modules/loose-file.js"))).to.equal("");
    expect(packageScope(path.join(dir, "src/a.js"))).to.equal("module");
  });

  it("nativeFormat: Node's format for a package's CommonJS files; false for what stays tsx's", () => {
    write("node_modules/esm/package.json", JSON.stringify({ type: "module" }));
    write("node_modules/cjs/package.json", JSON.stringify({ type: "commonjs" }));
    write("node_modules/plain/package.json", JSON.stringify({ name: "plain" }));
    write("node_modules/broken/package.json", "{");
    const at = (relative: string) => path.join(dir, relative);
    expect(nativeFormat(at("node_modules/cjs/index.js"))).to.equal("commonjs");
    expect(nativeFormat(at("node_modules/esm/index.cjs"))).to.equal("commonjs");
    expect(nativeFormat(at("node_modules/plain/index.js"))).to.equal(undefined);
    expect(nativeFormat(at("node_modules/esm/index.js"))).to.equal(false);
    expect(nativeFormat(at("node_modules/broken/index.js"))).to.equal(false);
    expect(nativeFormat(at("node_modules/plain/index.ts"))).to.equal(false);
    expect(nativeFormat(at("node_modules/plain/index.mjs"))).to.equal(false);
    expect(nativeFormat(at("node_modules/plain/index.js?namespace=x"))).to.equal(false);
    expect(nativeFormat(at("src/index.js"))).to.equal(false);
  });

  it("compiles a package's CommonJS file itself, and hands everything else to the hook before it", () => {
    write("node_modules/plain/package.json", JSON.stringify({ name: "plain" }));
    write("node_modules/esm/package.json", JSON.stringify({ type: "module" }));
    const calls: string[] = [];
    const loaders: Loaders = { ".js": recordingLoader(calls) };
    loadDependenciesNatively(loaders);
    const cjs = write(
      "node_modules/plain/index.js",
      "exports.x = 'native'; exports.f = __filename;",
    );
    const dotCjs = write("node_modules/esm/index.cjs", "module.exports = { y: 2 };");
    const esm = write("node_modules/esm/index.js", "export const z = 3;");
    const own = write("src/own.js", "exports.own = true;");
    expect(load(loaders, cjs)).to.deep.equal({ x: "native", f: cjs });
    expect(load(loaders, dotCjs)).to.deep.equal({ y: 2 });
    expect(calls, "CommonJS files of packages never reach the hook").to.deep.equal([]);
    expect(load(loaders, esm)).to.deep.equal({ z: 3 });
    expect(load(loaders, own)).to.deep.equal({ own: true });
    expect(calls).to.deep.equal(["esm/index.js", "src/own.js"]);
  });

  it("hands the hook a .js file in ES module syntax that its package declares CommonJS (Node refuses it)", () => {
    write("node_modules/loose/package.json", JSON.stringify({ name: "loose", type: "commonjs" }));
    const loose = write("node_modules/loose/index.js", "export const x = 1;");
    const calls: string[] = [];
    const loaders: Loaders = { ".js": recordingLoader(calls) };
    loadDependenciesNatively(loaders);
    expect(load(loaders, loose)).to.deep.equal({ x: 1 });
    expect(calls).to.deep.equal(["loose/index.js"]);
  });

  it("keeps Node's hint to change the package from being printed when such a file falls back to the hook", async () => {
    write("node_modules/hinted/package.json", JSON.stringify({ name: "hinted", type: "commonjs" }));
    const hinted = write("node_modules/hinted/index.js", "export const x = 1;");
    // A package that emits another warning as it loads natively: that one is left alone.
    write("node_modules/warns/package.json", JSON.stringify({ name: "warns", type: "commonjs" }));
    const warns = write(
      "node_modules/warns/index.js",
      'process.emit("warning", Object.assign(new Error("ehealth test warning"), { name: "TestWarning" }));',
    );
    const loaders: Loaders = { ".js": recordingLoader([]) };
    loadDependenciesNatively(loaders);
    const warnings: string[] = [];
    // Only this test's listener hears them (Node's own would print them).
    const others = process.listeners("warning");
    process.removeAllListeners("warning");
    process.on("warning", (w: Error) => warnings.push(w.message));
    try {
      expect(load(loaders, hinted)).to.deep.equal({ x: 1 });
      load(loaders, warns);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).to.not.include(ESM_HINT);
      expect(warnings).to.deep.equal(["ehealth test warning"]);
    } finally {
      process.removeAllListeners("warning");
      for (const listener of others) process.on("warning", listener);
    }
  });

  it("leaves an error thrown while the file runs to the caller, without running it again", () => {
    write("node_modules/throws/package.json", JSON.stringify({ name: "throws" }));
    const counter = write("node_modules/throws/count.js", "exports.runs = 0;");
    const throws = write(
      "node_modules/throws/index.js",
      `require(${JSON.stringify(counter)}).runs++; JSON.parse("{");`,
    );
    const calls: string[] = [];
    const loaders: Loaders = { ".js": recordingLoader(calls) };
    loadDependenciesNatively(loaders);
    expect(() => load(loaders, throws)).to.throw(SyntaxError);
    expect((Module.createRequire(counter)(counter) as { runs: number }).runs).to.equal(1);
    expect(calls).to.deep.equal([]);
  });

  it("leaves a SyntaxError the file throws before it requires anything to the caller, without running it again", () => {
    write("node_modules/parses/package.json", JSON.stringify({ name: "parses", type: "commonjs" }));
    const key = "__ehealthNativeDepsRuns";
    const parses = write(
      "node_modules/parses/index.js",
      `globalThis.${key} = (globalThis.${key} ?? 0) + 1; JSON.parse("{");`,
    );
    const calls: string[] = [];
    const loaders: Loaders = { ".js": recordingLoader(calls) };
    loadDependenciesNatively(loaders);
    const runs = () => (globalThis as Record<string, unknown>)[key];
    try {
      expect(() => load(loaders, parses)).to.throw(SyntaxError);
      expect(runs()).to.equal(1);
      expect(calls).to.deep.equal([]);
    } finally {
      delete (globalThis as Record<string, unknown>)[key];
    }
  });

  it("installs once: a second call wraps nothing again", () => {
    const calls: string[] = [];
    const loaders: Loaders = { ".js": recordingLoader(calls) };
    loadDependenciesNatively(loaders);
    const first = loaders[".js"];
    loadDependenciesNatively(loaders);
    expect(loaders[".js"]).to.equal(first);
    expect(loaders[".cjs"]).to.not.equal(undefined);
  });

  it("is installed where tsx's hook loads packages: this process, the plan, its workers and children", () => {
    const marked = (loader: Loader | undefined) =>
      Boolean(
        loader && (loader as unknown as Record<symbol, unknown>)[Symbol.for("ehealth.native-deps")],
      );
    const loaders = (Module as unknown as { _extensions: Loaders })._extensions;
    expect(marked(loaders[".js"]), "the test process (tests/setup.ts)").to.equal(true);
    expect(marked(loaders[".cjs"]), "the test process (tests/setup.ts)").to.equal(true);
    // After tsx's CommonJS hook (it wraps that hook), before the engine's own file, which runs
    // the programs.
    const hooks = ['require("tsx/cjs")', `require(${JSON.stringify(require.resolve("tsx/cjs"))})`];
    for (const [who, code, engine] of [
      ["a worker's bootstrap", workerBootstrap(), "worker.ts"],
      ["a child's bootstrap", bootstrap(), "child.ts"],
    ]) {
      const hook = Math.max(...hooks.map((h) => code.indexOf(h)));
      const native = code.indexOf("native-deps.ts");
      expect(hook, who).to.be.at.least(0);
      expect(native, who).to.be.greaterThan(hook);
      expect(code.lastIndexOf(engine), who).to.be.greaterThan(native);
    }
  });
});
