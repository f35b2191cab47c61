/**
 * Reads the YAML files a Pulumi project is made of. A parse error becomes one line in the form
 * editors and terminals link to, `file:line:column: what is wrong`.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type * as Yaml from "yaml";

export class StackConfigFileError extends Error {}

/**
 * The folder the person running the plan is in: a program evaluated in its own folder (child.ts)
 * learns it from the plan, so that its messages name files as that person reads them.
 */
export const DISPLAY_DIR_ENV = "EHEALTH_PLAN_DISPLAY_DIR";

/** A file name as people read it: relative to where they are, when below it. */
export function shown(file: string): string {
  const relative = path.relative(process.env[DISPLAY_DIR_ENV] || process.cwd(), file);
  if (relative === "") return ".";
  return !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

/** `yaml`'s message without its location suffix and code excerpt: " at line 2, column 1:\n\n...". */
function reason(err: Yaml.YAMLParseError): string {
  const first = err.message.split("\n")[0];
  return first.replace(/ at line \d+, column \d+:?$/, "");
}

/**
 * Documents already parsed, by their text: a process that reads the same files again (the test
 * run reads the project file and a stack file for each of its ~150 stack evaluations, at ~5 ms a
 * parse of the 6 KB Pulumi.yaml) parses each text once. Keyed by the whole text, so a changed file
 * is parsed again; each caller gets a copy of its own.
 */
const parsed = new Map<string, unknown>();

/** Parses a YAML file into an object; a missing file or a syntax error is a one-line error. */
export function readYaml(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new StackConfigFileError(`${shown(file)} does not exist`);
  // Loaded on first use: evaluation workers import this file for its messages and never parse.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { YAMLParseError, parse } = require("yaml") as typeof Yaml;
  let doc: unknown;
  try {
    const text = readFileSync(file, "utf8");
    if (!parsed.has(text)) parsed.set(text, parse(text));
    doc = structuredClone(parsed.get(text));
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const at = err.linePos?.[0];
      const where = at ? `${shown(file)}:${at.line}:${at.col}` : shown(file);
      throw new StackConfigFileError(`${where}: invalid YAML: ${reason(err)}`);
    }
    throw new StackConfigFileError(`${shown(file)} cannot be read: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc))
    throw new StackConfigFileError(`${shown(file)}:1:1: expected a mapping of keys to values`);
  return doc as Record<string, unknown>;
}
