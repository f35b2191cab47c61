/**
 * A Pulumi project as the Pulumi CLI sees it: its Pulumi.yaml (name, runtime, main, stackConfigDir,
 * declared config), the program that `main` names, and its stacks, one per Pulumi.<stack>.yaml.
 * Facts from the project file reference (https://www.pulumi.com/docs/reference/pulumi-yaml/):
 * `main` is relative to Pulumi.yaml and may name a directory; `stackConfigDir` moves the stack
 * files; the nearest folder holding a Pulumi.yaml is the project.
 */
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import * as path from "node:path";
import { StackConfigFileError, readYaml } from "./yaml";

export { StackConfigFileError } from "./yaml";

/** A project-level config key (Pulumi.yaml `config:`): its type, and its default when it has one. */
export interface DeclaredKey {
  readonly type?: string;
  readonly default?: string;
}

export interface ProjectFile {
  /** The project name: also the namespace of its own config keys. */
  readonly name: string;
  /** `main` as written, relative to `dir`. */
  readonly main?: string;
  /** The folder holding Pulumi.yaml. */
  readonly dir: string;
  /** `nodejs` (the only runtime the plan evaluates), or what the file says. */
  readonly runtime: string;
  /** Where the Pulumi.<stack>.yaml files are. @default dir */
  readonly stackConfigDir: string;
  /** Declared defaults, already as `namespace:key` strings. */
  readonly defaults: Readonly<Record<string, string>>;
  /** Every declared key, by `namespace:key`. */
  readonly declared: Readonly<Record<string, DeclaredKey>>;
  /**
   * The values `template: config:` gives a new stack (`pulumi new` writes them into its stack
   * file), by `namespace:key`: the config of a stack that has no file yet.
   */
  readonly templateDefaults: Readonly<Record<string, string>>;
}

export const PROJECT_FILE = "Pulumi.yaml";

function toConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** `key` in the project's namespace unless it names one (`aws:region`). */
export function qualify(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

function runtimeName(runtime: unknown): string | undefined {
  if (typeof runtime === "string") return runtime;
  if (
    runtime &&
    typeof runtime === "object" &&
    typeof (runtime as { name?: unknown }).name === "string"
  )
    return (runtime as { name: string }).name;
  return undefined;
}

/**
 * "template: Config to be used when creating new stacks in the project", each key with a
 * description and a default (https://www.pulumi.com/docs/iac/concepts/projects/project-file/).
 */
function templateDefaults(project: string, template: unknown): Record<string, string> {
  const config = (template as { config?: unknown } | null)?.config;
  if (!config || typeof config !== "object" || Array.isArray(config)) return {};
  const defaults: Record<string, string> = {};
  for (const [key, spec] of Object.entries(config as Record<string, unknown>)) {
    const value = (spec as { default?: unknown } | null)?.default;
    if (value !== undefined && value !== null)
      defaults[qualify(project, key)] = toConfigString(value);
  }
  return defaults;
}

/** Reads a project file (the folder's Pulumi.yaml or Pulumi.yml). */
export function loadProjectFile(projectDir: string): ProjectFile {
  const file =
    [PROJECT_FILE, "Pulumi.yml"].map((f) => path.join(projectDir, f)).find((f) => existsSync(f)) ??
    path.join(projectDir, PROJECT_FILE);
  const doc = readYaml(file);
  if (typeof doc.name !== "string" || doc.name === "")
    throw new StackConfigFileError(`${file} has no project name: add name: <project>`);
  const runtime = runtimeName(doc.runtime);
  if (!runtime) throw new StackConfigFileError(`${file} has no runtime: add runtime: nodejs`);
  const defaults: Record<string, string> = {};
  const declared: Record<string, DeclaredKey> = {};
  // `config: ./dir` is the older spelling of stackConfigDir.
  const legacyDir = typeof doc.config === "string" ? doc.config : undefined;
  const config = (legacyDir === undefined ? (doc.config ?? {}) : {}) as Record<string, unknown>;
  for (const [key, decl] of Object.entries(config)) {
    const name = qualify(doc.name, key);
    const spec = decl as Record<string, unknown> | null;
    if (spec && typeof spec === "object" && !Array.isArray(spec)) {
      const value = "default" in spec ? spec.default : "value" in spec ? spec.value : undefined;
      if (value !== undefined) defaults[name] = toConfigString(value);
      declared[name] = {
        type: typeof spec.type === "string" ? spec.type : undefined,
        default: value === undefined ? undefined : toConfigString(value),
      };
    } else {
      // A bare value is a default (`aws:region: eu-west-1` at project level).
      defaults[name] = toConfigString(spec);
      declared[name] = { default: toConfigString(spec) };
    }
  }
  return {
    name: doc.name,
    main: typeof doc.main === "string" ? doc.main : undefined,
    templateDefaults: templateDefaults(doc.name, doc.template),
    dir: projectDir,
    runtime,
    stackConfigDir: path.resolve(
      projectDir,
      typeof doc.stackConfigDir === "string" ? doc.stackConfigDir : (legacyDir ?? "."),
    ),
    defaults,
    declared,
  };
}

/** The stack a Pulumi.<stack>.yaml file is for, or undefined for any other name. */
export function stackOfConfigFile(file: string): string | undefined {
  const name = /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file))?.[1];
  return name && !name.includes("/") ? name : undefined;
}

/** The project's stacks: one per Pulumi.<stack>.yaml in its stack config folder, sorted. */
export function discoverStacks(project: ProjectFile): { stack: string; file: string }[] {
  if (!existsSync(project.stackConfigDir)) return [];
  return readdirSync(project.stackConfigDir)
    .map((f) => ({ stack: stackOfConfigFile(f), file: path.join(project.stackConfigDir, f) }))
    .filter((s): s is { stack: string; file: string } => s.stack !== undefined)
    .sort((a, b) => a.stack.localeCompare(b.stack));
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}

/**
 * The file Node would load for a program folder, as Pulumi's Node.js host does with `main`: the
 * folder's package.json `main`, else index.ts, else index.js.
 */
function entryOfFolder(dir: string): string | undefined {
  const pkg = path.join(dir, "package.json");
  if (isFile(pkg)) {
    try {
      const main = (JSON.parse(readFileSync(pkg, "utf8")) as { main?: unknown }).main;
      if (typeof main === "string") {
        const target = path.resolve(dir, main);
        const found = [target, `${target}.ts`, `${target}.js`, path.join(target, "index.ts")].find(
          isFile,
        );
        // A compiled main (bin/index.js) that is not built yet: evaluate the sources instead.
        if (found) return found;
      }
    } catch {
      // An unreadable package.json falls through to the index files, as Node would fail later.
    }
  }
  return ["index.ts", "index.js"].map((f) => path.join(dir, f)).find(isFile);
}

/** The program a project runs: its `main` (a file, or a folder), else the project folder. */
export function entryOf(project: ProjectFile): string {
  const target = path.resolve(project.dir, project.main ?? ".");
  if (isFile(target)) return target;
  if (existsSync(target)) {
    const entry = entryOfFolder(target);
    if (entry) return entry;
  }
  const where = project.main
    ? `main: ${project.main} in ${path.join(project.dir, PROJECT_FILE)}`
    : project.dir;
  throw new StackConfigFileError(
    `${where}: no program there (a file, or a folder with package.json main, index.ts or index.js)`,
  );
}

export interface LocatedProgram {
  /** The file to evaluate. */
  readonly entry: string;
  /** Its project, when a Pulumi.yaml claims it. */
  readonly project?: ProjectFile;
}

/**
 * The directory a program runs in, as the Pulumi CLI chooses it (getPwdMain, pulumi/pulumi
 * pkg/engine/project.go, "so that any relative paths inside of the program are correct"): the
 * project folder; the folder `main` names; the folder of the file `main` names. A program without
 * a project runs in its entry file's folder.
 */
export function workingDirectory(program: LocatedProgram): string {
  const { project } = program;
  if (!project) return path.dirname(program.entry);
  if (!project.main) return project.dir;
  const main = path.resolve(project.dir, project.main);
  return existsSync(main) && statSync(main).isDirectory() ? main : path.dirname(main);
}

function real(p: string): string {
  return realpathSync(p);
}

/**
 * The program and project a path names: a project folder (its Pulumi.yaml's main), or an entry
 * file, whose project is the Pulumi.yaml beside it, or the nearest one above whose main is this
 * file (a fixture deep inside another project is a program of its own).
 */
export function locateProgram(target: string): LocatedProgram {
  const resolved = path.resolve(target);
  if (!existsSync(resolved)) throw new StackConfigFileError(`program ${target} does not exist`);
  if (statSync(resolved).isDirectory()) {
    if (![PROJECT_FILE, "Pulumi.yml"].some((f) => existsSync(path.join(resolved, f)))) {
      const entry = entryOfFolder(resolved);
      if (entry) return { entry };
      throw new StackConfigFileError(
        `${target} has no Pulumi.yaml and no index.ts: name the program's entry file, or add a Pulumi.yaml (name, runtime: nodejs, main)`,
      );
    }
    const project = loadProjectFile(resolved);
    // Another runtime's project has no Node.js entry: the caller refuses it by its runtime.
    if (project.runtime !== "nodejs") return { entry: resolved, project };
    return { entry: entryOf(project), project };
  }
  const file = real(resolved);
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if ([PROJECT_FILE, "Pulumi.yml"].some((f) => existsSync(path.join(dir, f)))) {
      const project = loadProjectFile(dir);
      const beside = dir === path.dirname(file);
      let claims = beside;
      if (!beside) {
        try {
          claims = real(entryOf(project)) === file;
        } catch {
          claims = false;
        }
      }
      // The nearest project decides, as for the Pulumi CLI: it claims the file, or nobody does.
      return claims ? { entry: file, project } : { entry: file };
    }
    if (path.dirname(dir) === dir) return { entry: file };
  }
}
