/**
 * Loads a stack's configuration the way the Pulumi CLI hands it to a program: the project's
 * declared defaults from Pulumi.yaml, overlaid with the stack file's values, every value a string
 * (structured values as JSON) under a `namespace:key` name. As the CLI does before a preview, a
 * key the project declares with a type and no default must have a value, of that type (Pulumi's
 * ValidateStackConfigAndApplyProjectConfig: "Stack 'dev' is missing configuration value 'x'").
 */
import * as path from "node:path";
import { ProjectFile, qualify } from "./project";
import { StackConfigFileError, readYaml, shown } from "./yaml";

export { ProjectFile, loadProjectFile } from "./project";
export { StackConfigFileError } from "./yaml";

function toConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Pulumi's list in its messages: 'a', 'b' and 'c'. */
function quotedList(items: readonly string[]): string {
  const q = items.map((i) => `'${i}'`);
  return q.length < 2 ? q.join("") : `${q.slice(0, -1).join(", ")} and ${q[q.length - 1]}`;
}

/** The key as Pulumi names it in messages: without the project's own namespace. */
function bare(project: string, key: string): string {
  return key.startsWith(`${project}:`) ? key.slice(project.length + 1) : key;
}

function hasType(type: string, value: unknown): boolean {
  switch (type) {
    case "integer":
      return (
        (typeof value === "number" && Number.isInteger(value)) ||
        (typeof value === "string" && /^-?\d+$/.test(value))
      );
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "array":
      return Array.isArray(value);
    case "string":
      return value === null || typeof value !== "object";
    default:
      // Types Pulumi.yaml cannot declare today (objects, pulumi/pulumi#11321) are not judged here.
      return true;
  }
}

type ProjectView = Pick<ProjectFile, "name" | "defaults"> & Partial<Pick<ProjectFile, "declared">>;

/**
 * The configuration of one stack file, merged over the project defaults. Encrypted values cannot
 * be read offline: they are refused by name, so the user knows which key to override.
 */
export function loadStackConfig(
  stackFile: string,
  project: ProjectView,
  stack = /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(stackFile))?.[1] ?? "dev",
): Record<string, string> {
  const doc = readYaml(stackFile);
  const config = (doc.config ?? {}) as Record<string, unknown>;
  if (typeof config !== "object" || Array.isArray(config))
    throw new StackConfigFileError(
      `${shown(stackFile)}: config must be a mapping of keys to values`,
    );
  for (const [key, value] of Object.entries(config)) {
    if (value && typeof value === "object" && "secure" in (value as object)) {
      throw new StackConfigFileError(
        `${shown(stackFile)}: ${key} is an encrypted secret, which cannot be decrypted offline; give a plaintext stand-in in a copy of the file`,
      );
    }
  }
  return stackConfig(config, project, stack, stackFile);
}

/**
 * A stack's configuration from its file's values (none for a stack without a file), checked
 * against what the project declares.
 */
export function stackConfig(
  values: Readonly<Record<string, unknown>>,
  project: ProjectView,
  stack: string,
  stackFile?: string,
): Record<string, string> {
  const merged: Record<string, string> = { ...project.defaults };
  const raw = new Map<string, unknown>();
  for (const [key, value] of Object.entries(values)) {
    const name = qualify(project.name, key);
    raw.set(name, value);
    merged[name] = toConfigString(value);
  }
  const file = stackFile ? shown(stackFile) : `Pulumi.${stack}.yaml`;
  const declared = Object.entries(project.declared ?? {});
  const missing = declared
    .filter(([name, d]) => d.type !== undefined && d.default === undefined && !raw.has(name))
    .map(([name]) => name)
    .sort();
  if (missing.length) {
    throw new StackConfigFileError(
      `Stack '${stack}' is missing configuration value${missing.length > 1 ? "s" : ""} ${quotedList(missing.map((m) => bare(project.name, m)))}: set ${missing.length > 1 ? "them" : "it"} with \`pulumi config set ${missing[0]} <value> --stack ${stack}\`, or under config: in ${file}, and pass that file with --config`,
    );
  }
  for (const [name, d] of declared) {
    if (d.type && raw.has(name) && !hasType(d.type, raw.get(name))) {
      throw new StackConfigFileError(
        `Stack '${stack}' with configuration key '${bare(project.name, name)}' must be of type '${d.type}': fix ${name} in ${file}`,
      );
    }
  }
  return merged;
}
