/**
 * `--typecheck`: the TypeScript compiler's diagnostics for a program, as `pulumi preview` would
 * meet them (its Node.js host compiles TypeScript with type checking). Imports resolve as they do
 * when the program runs (resolve.ts): the program's own packages first, this project's @pulumi/*
 * and @types/node after. The program's tsconfig.json is used when it has one.
 *
 * Parsing @pulumi/aws's declarations costs seconds, so a clean result is remembered, keyed by
 * the content of every source file of the program and the version of every package it read; any
 * change to either checks the program again. Programs with errors are always checked again.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type * as TS from "typescript";
import { SUPPLIED } from "./resolve";

/* eslint-disable-next-line @typescript-eslint/no-require-imports */
const loadTs = () => require("typescript") as typeof TS;

const PROJECT_DIR = path.resolve(__dirname, "..", "..");
const CACHE_FILE = path.join(
  PROJECT_DIR,
  "node_modules",
  ".cache",
  "ehealth-plan",
  "typecheck.json",
);

export interface Diagnostic {
  /** `file:line:column`, or the program when the compiler names no file. */
  readonly at: string;
  readonly code: number;
  readonly message: string;
}

export interface TypecheckResult {
  readonly diagnostics: Diagnostic[];
  /** True when an earlier clean check of the same sources answered. */
  readonly cached: boolean;
  readonly ms: number;
}

function defaultOptions(ts: typeof TS): TS.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ["lib.es2022.d.ts"],
    strict: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    types: ["node"],
  };
}

/** The nearest tsconfig.json at or above the program, within its project folder. */
function tsconfigOf(entry: string, projectDir: string): string | undefined {
  for (let dir = path.dirname(entry); ; dir = path.dirname(dir)) {
    const file = path.join(dir, "tsconfig.json");
    if (existsSync(file)) return file;
    if (
      dir === projectDir ||
      path.relative(projectDir, dir).startsWith("..") ||
      path.dirname(dir) === dir
    )
      return undefined;
  }
}

function compilerOptions(ts: typeof TS, tsconfig: string | undefined): TS.CompilerOptions {
  if (!tsconfig) return defaultOptions(ts);
  const parsed = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => undefined,
    },
  );
  return { ...(parsed?.options ?? defaultOptions(ts)) };
}

function createHost(ts: typeof TS, options: TS.CompilerOptions): TS.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const cache = ts.createModuleResolutionCache(host.getCurrentDirectory(), (f) => f, options);
  const fallbackFrom = path.join(PROJECT_DIR, "index.ts");
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, opts) =>
    literals.map((literal) => {
      const own = ts.resolveModuleName(literal.text, containingFile, opts, host, cache, redirected);
      if (own.resolvedModule || !SUPPLIED.test(literal.text)) return own;
      return ts.resolveModuleName(literal.text, fallbackFrom, opts, host, cache, redirected);
    });
  host.resolveTypeReferenceDirectiveReferences = (refs, containingFile, redirected, opts) =>
    refs.map((ref) => {
      const name = typeof ref === "string" ? ref : ref.fileName.toLowerCase();
      const own = ts.resolveTypeReferenceDirective(name, containingFile, opts, host, redirected);
      if (own.resolvedTypeReferenceDirective) return own;
      return ts.resolveTypeReferenceDirective(
        name,
        fallbackFrom,
        { ...opts, typeRoots: [path.join(PROJECT_DIR, "node_modules", "@types")] },
        host,
        redirected,
      );
    });
  return host;
}

function sha(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The package a declaration file belongs to: its folder under node_modules. */
function packageRoot(file: string): string | undefined {
  const match = /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file);
  return match?.[1];
}

interface Fingerprint {
  readonly key: string;
  readonly files: Record<string, string>;
  readonly packages: Record<string, string>;
}

function versionOf(root: string): string {
  try {
    return String(
      (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version?: string })
        .version ?? "",
    );
  } catch {
    return "";
  }
}

function fingerprintOf(program: TS.Program, key: string): Fingerprint {
  const files: Record<string, string> = {};
  const packages: Record<string, string> = {};
  for (const source of program.getSourceFiles()) {
    const root = packageRoot(source.fileName);
    if (root) packages[root] ??= versionOf(root);
    else if (!program.isSourceFileDefaultLibrary(source)) files[source.fileName] = sha(source.text);
  }
  return { key, files, packages };
}

function stillClean(print: Fingerprint): boolean {
  for (const [file, hash] of Object.entries(print.files)) {
    if (!existsSync(file) || sha(readFileSync(file, "utf8")) !== hash) return false;
  }
  return Object.entries(print.packages).every(([root, version]) => versionOf(root) === version);
}

function readCache(): Record<string, Fingerprint> {
  try {
    return JSON.parse(readFileSync(CACHE_FILE, "utf8")) as Record<string, Fingerprint>;
  } catch {
    return {};
  }
}

function remember(entry: string, print: Fingerprint): void {
  try {
    mkdirSync(path.dirname(CACHE_FILE), { recursive: true });
    const cache = { ...readCache(), [entry]: print };
    const temp = `${CACHE_FILE}.${process.pid}.${Date.now()}`;
    writeFileSync(temp, JSON.stringify(cache));
    renameSync(temp, CACHE_FILE);
  } catch {
    // A cache that cannot be written only costs the next run its time.
  }
}

function describe(ts: typeof TS, d: TS.Diagnostic, entry: string): Diagnostic {
  const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
  if (!d.file || d.start === undefined) return { at: entry, code: d.code, message };
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const relative = path.relative(process.cwd(), d.file.fileName);
  const file = relative.startsWith("..") ? d.file.fileName : relative;
  return { at: `${file}:${line + 1}:${character + 1}`, code: d.code, message };
}

/**
 * The key of a check: the compiler's version and the program's tsconfig.json as written (the
 * compiler is not loaded for it, so a remembered clean check costs only file reads).
 */
function keyOf(entry: string, projectDir: string): { key: string; tsconfig?: string } {
  const tsVersion = versionOf(path.join(PROJECT_DIR, "node_modules", "typescript"));
  const tsconfig = tsconfigOf(entry, projectDir);
  const text = tsconfig ? readFileSync(tsconfig, "utf8") : "";
  return { key: sha(JSON.stringify([tsVersion, tsconfig ?? null, text])), tsconfig };
}

/** True when an earlier check found this program clean and none of what it read has changed. */
export function knownClean(entry: string, projectDir = path.dirname(entry)): boolean {
  const known = readCache()[entry];
  return known !== undefined && known.key === keyOf(entry, projectDir).key && stillClean(known);
}

/** Type-checks the program whose entry file this is, within its project folder. */
export function typecheckProgram(entry: string, projectDir = path.dirname(entry)): TypecheckResult {
  const started = performance.now();
  if (knownClean(entry, projectDir)) {
    return { diagnostics: [], cached: true, ms: Math.round(performance.now() - started) };
  }
  const ts = loadTs();
  const { key, tsconfig } = keyOf(entry, projectDir);
  const options: TS.CompilerOptions = { ...compilerOptions(ts, tsconfig), noEmit: true };
  delete options.outDir;
  const program = ts.createProgram({ rootNames: [entry], options, host: createHost(ts, options) });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => describe(ts, d, entry));
  if (diagnostics.length === 0) remember(entry, fingerprintOf(program, key));
  return { diagnostics, cached: false, ms: Math.round(performance.now() - started) };
}
