/**
 * The plan's JSON report schema (docs/plan-report.schema.json), compiled once for the suites that
 * validate reports against it: compiling it took about 55 ms of the suites' thread each time, and
 * five tests compiled it.
 */
import Ajv, { type ValidateFunction } from "ajv";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_DIR } from "../../tools/engine";

let compiled: ValidateFunction | undefined;

/** The schema's validator; its `errors` hold every error of the last report it rejected. */
export function reportValidator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, validateFormats: false }).compile(
    JSON.parse(
      readFileSync(path.join(PROJECT_DIR, "docs", "plan-report.schema.json"), "utf8"),
    ) as object,
  );
  return compiled;
}
