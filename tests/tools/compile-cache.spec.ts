import { expect } from "chai";
import { mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_DIR } from "../../tools/engine";
import { bootstrap } from "../../tools/engine/child";
import {
  INSTALL_COMPILE_CACHE,
  tsxEmbedsSources,
  compileCacheStats,
  installCompileCache,
  precompileProject,
} from "../../tools/engine/compile-cache";
import type { Loader, Loaders } from "../../tools/engine/native-deps";
import { workerBootstrap } from "../../tools/engine/worker";
import { tsxLoader } from "../helpers/compile-cache";
import { loadThrough } from "../helpers/loaders";
import { tempDir } from "../helpers/temp";

/** A module for `file`, loaded through the table's `.ts` loader. */
const load = (loaders: Loaders, file: string) => loadThrough(loaders, file, ".ts");

// Where tsx embeds the sources in its maps (coverage, a debugger) the cache steps aside, and the
// tests that need it would fail: they run where it is on.
const cacheOn = !tsxEmbedsSources();

if (!cacheOn) {
  describe("tools/engine/compile-cache, while tsx embeds the sources (coverage, a debugger)", () => {
    it("installs nothing in front of tsx", () => {
      const loaders: Loaders = { ".ts": () => undefined };
      const before = loaders[".ts"];
      installCompileCache({ extensions: loaders });
      expect(loaders[".ts"]).to.equal(before);
    });
  });
} else
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
    const meta = write(
      "meta.ts",
      readFileSync(path.join(__dirname, "..", "fixtures", "compile-cache", "meta.txt"), "utf8"),
    );
    write("node_modules/dep/index.ts", "export const dep = 1;\n");
    write(".hidden/secret.ts", "export const hidden = 1;\n");
    write("types.d.ts", "declare const declared: number;\n");

    it("precompile: compiles the project's own files once, leaving to tsx what esbuild refuses", () => {
      const first = precompileProject({ root, cacheDir });
      // lib/greet, main, broken, dynamic and meta; not node_modules, hidden folders or declarations.
      expect(first.files).to.equal(5);
      expect(first.built).to.equal(5);
      expect(first.refused).to.deep.equal([broken]);
      // dynamic.ts and meta.ts compile, but tsx adapts what they import dynamically and their
      // module's meta object: they get no entry.
      expect(first.compiled).to.equal(2);
      expect(cachedFiles()).to.equal(2);
      // Nothing changed: nothing is given to esbuild again, not even the files left to tsx.
      const second = precompileProject({ root, cacheDir });
      expect(second.built).to.equal(0);
      expect(second.compiled).to.equal(0);
    });

    it("install: serves the compiled files, as tsx would load them, and passes everything else on", () => {
      installCompileCache({ root, cacheDir, extensions: table });
      // main.ts requires lib/greet.ts through Node's own table, so only main.ts comes from this one.
      expect(load(table, main).exports.said).to.equal("hello ward");
      expect(compileCacheStats.served.has(main)).to.equal(true);
      expect(passed).to.deep.equal([]);
      for (const file of [broken, dynamic, meta, path.join(root, "node_modules/dep/index.ts")]) {
        load(table, file);
      }
      load(table, path.join(PROJECT_DIR, "tools", "engine", "compile-cache.ts"));
      load(table, `${lib}?namespace=sdk`);
      expect(passed).to.deep.equal([
        "broken.ts",
        "dynamic.ts",
        "meta.ts",
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
      // The older text's entry stays while it is recent (another run may be loading it), and goes
      // once it is ten minutes old.
      const rebuilt = precompileProject({ root, cacheDir });
      expect(rebuilt.compiled).to.equal(1);
      expect(cachedFiles()).to.equal(3);
      const past = new Date(Date.now() - 11 * 60_000);
      for (const e of entries().filter((e) => e.isFile())) {
        utimesSync(path.join(e.parentPath, e.name), past, past);
      }
      write("main.ts", 'export const said = "changed";\n// and saved again\n');
      expect(precompileProject({ root, cacheDir }).compiled).to.equal(1);
      expect(cachedFiles()).to.equal(2);
      write("main.ts", 'export const said = "changed";\n');
      precompileProject({ root, cacheDir });
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

    it("serves, for the project's files, the code tsx compiles from them", () => {
      // What each loader hands Node to compile, for files of each kind: the engine, a component
      // with classes, a stack, the pack (a folder with a tsconfig of its own), tests. tsx wraps its
      // code in a function that sets __filename; both append the source map, compared apart (above).
      const compiled = (loader: Loader, file: string) => {
        let code = "";
        loader({ children: [], _compile: (text: string) => void (code = text) }, file);
        return code.slice(0, code.lastIndexOf("\n//# sourceMappingURL="));
      };
      const cacheOnly: Loaders = {
        ".ts": (_m, file) => expect.fail(`${file}: not in the compile cache`),
      };
      installCompileCache({ extensions: cacheOnly });
      for (const relative of [
        "tools/engine/evaluate.ts",
        "tools/engine/worker.ts",
        "infra/network/index.ts",
        "infra/audit/alarms.ts",
        "stacks/index.ts",
        "policy-pack/policies/index.ts",
        "policy-pack/policies/lib/props.ts",
        "tests/helpers/early.ts",
      ]) {
        const file = path.join(PROJECT_DIR, relative);
        const tsx = compiled(tsxLoader, file);
        const wrapper = `__filename=${JSON.stringify(file)};(()=>{\n`;
        expect(tsx.startsWith(wrapper), relative).to.equal(true);
        const unwrapped = tsx.slice(wrapper.length, tsx.lastIndexOf("\n})()")).trimEnd();
        expect(compiled(cacheOnly[".ts"]!, file), relative).to.equal(unwrapped);
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

    describe("what must never be served wrong, or hold a run up", () => {
      // Each project in a folder of its own, its cache in another.
      const project = (files: Readonly<Record<string, string>>) => {
        const dir = tempDir("ehealth-compile-cache-project-");
        for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
        return { dir, cacheDir: path.join(tempDir("ehealth-compile-cache-c-"), "cache") };
      };
      // A loader table whose `.ts` loader stands for tsx's, and the files it was given.
      const table = (): { loaders: Loaders; passed: string[] } => {
        const passed: string[] = [];
        return { loaders: { ".ts": (_m, f) => void passed.push(f) }, passed };
      };
      const CLASS = [
        "class Probe { setterRan = false; set value(_v: number) { this.setterRan = true; } }",
        "class Child extends Probe { value = 1; }",
        "export const setterRan = new Child().setterRan;",
        "",
      ].join("\n");

      it("a tsconfig.json that is not JSON, or extends another, leaves every file to tsx", function () {
        // Before: esbuild's error named tsconfig.json, no file being built, and the build was tried
        // again for ever, so npm test hung before its first test.
        this.timeout(10_000);
        for (const tsconfig of [
          '{ "compilerOptions": { "target": "ES2022", } ',
          '{ "extends": "./base.json" }',
        ]) {
          const { dir, cacheDir } = project({
            "a.ts": "export const a = 1;\n",
            "tsconfig.json": tsconfig,
          });
          const result = precompileProject({ root: dir, cacheDir });
          expect(result.compiled, tsconfig).to.equal(0);
          const { loaders, passed } = table();
          installCompileCache({ root: dir, cacheDir, extensions: loaders });
          load(loaders, path.join(dir, "a.ts"));
          expect(passed, tsconfig).to.deep.equal([path.join(dir, "a.ts")]);
        }
      });

      it("compiles with the project's tsconfig, and again when it changes", () => {
        // TypeScript's default for ES2022 defines class fields: the child's field replaces the
        // setter; with useDefineForClassFields false it is assigned, through the setter.
        const { dir, cacheDir } = project({
          "probe.ts": CLASS,
          "tsconfig.json": JSON.stringify({ compilerOptions: { target: "ES2022" } }),
        });
        const passed: string[] = [];
        const setterRan = () => {
          const fresh = table();
          installCompileCache({ root: dir, cacheDir, extensions: fresh.loaders });
          const { exports } = load(fresh.loaders, path.join(dir, "probe.ts"));
          passed.push(...fresh.passed);
          return exports.setterRan;
        };
        expect(precompileProject({ root: dir, cacheDir }).compiled).to.equal(1);
        expect(setterRan()).to.equal(false);
        writeFileSync(
          path.join(dir, "tsconfig.json"),
          JSON.stringify({ compilerOptions: { target: "ES2022", useDefineForClassFields: false } }),
        );
        // Before: entries were named by path and text only, and the first compile was served.
        expect(precompileProject({ root: dir, cacheDir }).compiled).to.equal(1);
        expect(setterRan()).to.equal(true);
        expect(passed).to.deep.equal([]);
      });

      it("an entry holds the text that was read, even if the file changed before esbuild read it", () => {
        const { dir, cacheDir } = project({ "which.ts": 'export const which = "saved later";\n' });
        const file = path.join(dir, "which.ts");
        const read = 'export const which = "read";\n';
        // The file is read as one text and holds another when esbuild builds (an editor saving).
        precompileProject({ root: dir, cacheDir, read: () => read });
        writeFileSync(file, read);
        const { loaders } = table();
        installCompileCache({ root: dir, cacheDir, extensions: loaders });
        // Before: esbuild compiled the text on disk into the entry named by the text read.
        expect(load(loaders, file).exports.which).to.equal("read");
      });

      it("an incomplete entry is a miss, not a module without exports", () => {
        const { dir, cacheDir } = project({ "a.ts": "export const a = 1;\n" });
        precompileProject({ root: dir, cacheDir });
        const [folder] = readdirSync(cacheDir);
        const [entry] = readdirSync(path.join(cacheDir, folder)).filter((e) => e.endsWith(".js"));
        writeFileSync(path.join(cacheDir, folder, entry), "");
        const { loaders, passed } = table();
        installCompileCache({ root: dir, cacheDir, extensions: loaders });
        load(loaders, path.join(dir, "a.ts"));
        expect(passed).to.deep.equal([path.join(dir, "a.ts")]);
      });

      it("a file gone between listing and reading is skipped, and the others compiled", () => {
        const { dir, cacheDir } = project({
          "a.ts": "export const a = 1;\n",
          "b.ts": "export const b = 2;\n",
        });
        const read = (file: string) => {
          if (file.endsWith("b.ts")) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
          return readFileSync(file, "utf8");
        };
        expect(precompileProject({ root: dir, cacheDir, read }).compiled).to.equal(1);
      });

      it("a cache folder that cannot be made is reported, not thrown, and leaves files to tsx", () => {
        const { dir } = project({ "a.ts": "export const a = 1;\n" });
        // A file where the cache's folder would go: no folder can be made under it.
        const blocked = path.join(tempDir("ehealth-compile-cache-blocked-"), "file");
        writeFileSync(blocked, "");
        const result = precompileProject({ root: dir, cacheDir: blocked });
        expect(result.compiled).to.equal(0);
        // Before: the result said nothing, and the run went slower without a word.
        expect(result.off).to.match(/ENOTDIR|EEXIST/);
      });

      it("checkouts that share a cache folder keep their own entries", () => {
        const text = { "a.ts": "export const a = 1;\n" };
        const first = project(text);
        const second = project(text);
        const cacheDir = first.cacheDir;
        expect(precompileProject({ root: first.dir, cacheDir }).compiled).to.equal(1);
        expect(precompileProject({ root: second.dir, cacheDir }).compiled).to.equal(1);
        // Before: the second removed the first's entries as texts no longer in its project.
        expect(precompileProject({ root: first.dir, cacheDir }).built).to.equal(0);
      });

      it("reads the tsconfig once: an entry is compiled with the options its folder is named by", () => {
        const { dir, cacheDir } = project({
          "probe.ts": CLASS,
          "tsconfig.json": JSON.stringify({ compilerOptions: { target: "ES2022" } }),
        });
        const tsconfig = path.join(dir, "tsconfig.json");
        const first = readFileSync(tsconfig, "utf8");
        // The tsconfig changes while the files are read, and is back before the next run.
        const read = (file: string) => {
          writeFileSync(
            tsconfig,
            JSON.stringify({
              compilerOptions: { target: "ES2022", useDefineForClassFields: false },
            }),
          );
          return readFileSync(file, "utf8");
        };
        precompileProject({ root: dir, cacheDir, read });
        writeFileSync(tsconfig, first);
        const { loaders, passed } = table();
        installCompileCache({ root: dir, cacheDir, extensions: loaders });
        // Before: the folder was named by the first read and the build used the second.
        expect(load(loaders, path.join(dir, "probe.ts")).exports.setterRan).to.equal(false);
        expect(passed).to.deep.equal([]);
      });

      it("compiles default imports as tsx does under a package.json of type module", () => {
        // esbuild's build reads the nearest package.json's type, tsx's transform none: under a
        // "module" one, default imports would get `module.exports` where tsx gives `.default`.
        const text = 'import dep from "dep";\nexport const value = dep;\n';
        const entryText = (cacheDir: string, dir: string) => {
          precompileProject({ root: dir, cacheDir });
          const [folder] = readdirSync(cacheDir);
          const [entry] = readdirSync(path.join(cacheDir, folder)).filter((e) => e.endsWith(".js"));
          const code = readFileSync(path.join(cacheDir, folder, entry), "utf8");
          return code.slice(0, code.indexOf("\n//# sourceMappingURL="));
        };
        const plain = project({ "a.ts": text });
        const underModule = project({ "a.ts": text });
        const moduleScope = tempDir("ehealth-compile-cache-esm-");
        writeFileSync(path.join(moduleScope, "package.json"), JSON.stringify({ type: "module" }));
        const inModule = entryText(path.join(moduleScope, "cache"), underModule.dir);
        expect(inModule).to.equal(
          entryText(plain.cacheDir, plain.dir).replace(plain.dir, underModule.dir),
        );
      });

      it("steps aside where tsx embeds the sources in its maps: coverage, the inspector", () => {
        expect(tsxEmbedsSources({}, [])).to.equal(false);
        expect(tsxEmbedsSources({ NODE_V8_COVERAGE: "/tmp/c" }, [])).to.equal(true);
        expect(tsxEmbedsSources({}, ["--inspect-brk"])).to.equal(true);
        expect(tsxEmbedsSources({}, ["--inspect=127.0.0.1:0"])).to.equal(true);
        expect(
          tsxEmbedsSources({ NODE_OPTIONS: "--max-old-space-size=4096 --inspect-wait" }, []),
        ).to.equal(true);
        expect(tsxEmbedsSources({}, ["--inspector-port=1"])).to.equal(false);
      });

      it("stays out of the way while V8 collects coverage (tsx then embeds the sources)", () => {
        const { dir, cacheDir } = project({ "a.ts": "export const a = 1;\n" });
        precompileProject({ root: dir, cacheDir });
        const { loaders } = table();
        const before = loaders[".ts"];
        process.env.NODE_V8_COVERAGE = path.join(cacheDir, "coverage");
        try {
          installCompileCache({ root: dir, cacheDir, extensions: loaders });
        } finally {
          delete process.env.NODE_V8_COVERAGE;
        }
        expect(loaders[".ts"]).to.equal(before);
      });
    });
  });
