/**
 * Loads a stack's configuration the way the Pulumi CLI hands it to a program: the project's
 * declared defaults from Pulumi.yaml, overlaid with the stack file's values, every value a string
 * (structured values as JSON) under a `namespace:key` name.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export class StackConfigFileError extends Error {}

export interface ProjectFile {
  readonly name: string;
  readonly main?: string;
  readonly dir: string;
  /** Declared defaults, already as `namespace:key` strings. */
  readonly defaults: Readonly<Record<string, string>>;
}

function toConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function qualify(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

function readYaml(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new StackConfigFileError(`${file} does not exist`);
  try {
    const doc: unknown = parse(readFileSync(file, "utf8"));
    return (doc ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new StackConfigFileError(
      `${file} is not valid YAML: ${(err as Error).message.split("\n")[0]}`,
    );
  }
}

export function loadProjectFile(projectDir: string): ProjectFile {
  const file = path.join(projectDir, "Pulumi.yaml");
  const doc = readYaml(file);
  if (typeof doc.name !== "string") throw new StackConfigFileError(`${file} has no project name`);
  const defaults: Record<string, string> = {};
  const config = (doc.config ?? {}) as Record<string, unknown>;
  for (const [key, decl] of Object.entries(config)) {
    const spec = decl as Record<string, unknown> | null;
    if (spec && typeof spec === "object" && ("default" in spec || "value" in spec)) {
      defaults[qualify(doc.name, key)] = toConfigString(spec.default ?? spec.value);
    } else if (spec === null || typeof spec !== "object") {
      defaults[qualify(doc.name, key)] = toConfigString(spec);
    }
  }
  return {
    name: doc.name,
    main: typeof doc.main === "string" ? doc.main : undefined,
    dir: projectDir,
    defaults,
  };
}

/**
 * The configuration of one stack file, merged over the project defaults. Encrypted values cannot
 * be read offline: they are refused by name, so the user knows which key to override.
 */
export function loadStackConfig(stackFile: string, project: ProjectFile): Record<string, string> {
  const doc = readYaml(stackFile);
  const config = (doc.config ?? {}) as Record<string, unknown>;
  const merged: Record<string, string> = { ...project.defaults };
  for (const [key, value] of Object.entries(config)) {
    if (value && typeof value === "object" && "secure" in (value as object)) {
      throw new StackConfigFileError(
        `${stackFile}: ${key} is an encrypted secret, which cannot be decrypted offline; give a plaintext stand-in in a copy of the file`,
      );
    }
    merged[qualify(project.name, key)] = toConfigString(value);
  }
  return merged;
}
