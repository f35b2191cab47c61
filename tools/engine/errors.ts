/**
 * A program's failure as one line that names where it is and what to do: esbuild's location for a
 * syntax error, Pulumi's "set it with" line for missing configuration, the folder to install in
 * for a missing package. Everything else keeps the first line of its message.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { SUPPLIED } from "./resolve";
import { shown } from "./yaml";

export interface FailureContext {
  readonly program: string;
  readonly stack: string;
}

/** esbuild's report, as tsx rethrows it: "Transform failed with 1 error:\n<file>:<l>:<c>: ERROR: <text>". */
const TRANSFORM = /^(?:Transform failed with \d+ errors?:\s*\n)?(.+?):(\d+):(\d+): ERROR: (.+)$/m;
const MISSING_CONFIG =
  /^Missing required configuration variable '([^']+)'\s*\n\s*please set a value using the command `([^`]+)`/;

/** How the mocks' own refusals begin (mocks.ts): the SDK's prefixes before them add nothing. */
const OFFLINE_REFUSAL = "the offline plan has no ";

/** The folder npm installs a file's dependencies in: the nearest one above it with a package.json. */
function packageFolder(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, "package.json"))) return d;
    if (path.dirname(d) === d) return dir;
  }
}

export function describeFailure(err: unknown, context: FailureContext): string {
  if (!(err instanceof Error)) return String(err).split("\n")[0];
  const message = err.message ?? "";

  const refusal = message.indexOf(OFFLINE_REFUSAL);
  if (refusal > 0) return message.slice(refusal).split("\n")[0];

  if (err.name === "TransformError" || message.startsWith("Transform failed")) {
    const at = TRANSFORM.exec(message);
    if (at) {
      const [, file, line, column, text] = at;
      // esbuild counts columns from 0; editors and terminals count from 1.
      return `${shown(file)}:${line}:${Number(column) + 1}: syntax error: ${text} (fix it and plan again)`;
    }
  }

  const config = MISSING_CONFIG.exec(message);
  if (config) {
    const [, key, command] = config;
    return `Missing required configuration variable '${key}': set it with \`${command}\`, or add ${key} under config: in Pulumi.${context.stack}.yaml and pass that file with --config`;
  }

  if ((err as { code?: string }).code === "MODULE_NOT_FOUND") {
    const wanted = /^Cannot find module '([^']+)'/.exec(message)?.[1] ?? "a module";
    const from = (err as { requireStack?: string[] }).requireStack?.[0];
    const dir = packageFolder(path.dirname(from ?? context.program));
    const supplied = SUPPLIED.test(wanted)
      ? ""
      : "; the plan supplies only @pulumi/pulumi, @pulumi/aws and @pulumi/policy";
    const pkg =
      wanted.startsWith(".") || wanted.startsWith("/")
        ? undefined
        : wanted
            .split("/")
            .slice(0, wanted.startsWith("@") ? 2 : 1)
            .join("/");
    return pkg
      ? `Cannot find module '${wanted}' (imported by ${shown(from ?? context.program)}): install the program's dependencies (npm install in ${shown(dir)})${supplied}`
      : `Cannot find module '${wanted}' (imported by ${shown(from ?? context.program)}): no such file`;
  }

  return message.split("\n")[0];
}
