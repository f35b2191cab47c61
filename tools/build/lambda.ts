/**
 * `npm run lambda`: writes the research upload function's deployable code. The TypeScript source
 * (infra/research/upload/function.ts) is transpiled as it is, without bundling, into one ES module
 * that Lambda's Node.js runtime loads; the program deploys that file, and a test fails when it is
 * stale. `--check` only reports whether it is current (exit 1 when not).
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");
export const LAMBDA_SOURCE = path.join(ROOT, "infra", "research", "upload", "function.ts");
export const LAMBDA_OUTPUT = path.join(ROOT, "infra", "research", "upload", "dist", "index.mjs");

const HEADER =
  "// Generated from infra/research/upload/function.ts by `npm run lambda`: edit the source, not this file.\n";

/** The module Lambda runs, from the source as it is now. */
export function buildLambda(): string {
  const source = readFileSync(LAMBDA_SOURCE, "utf8");
  const { outputText, diagnostics } = ts.transpileModule(source, {
    fileName: path.basename(LAMBDA_SOURCE),
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      removeComments: false,
    },
  });
  if (diagnostics?.length) {
    throw new Error(ts.flattenDiagnosticMessageText(diagnostics[0].messageText, "\n"));
  }
  return HEADER + outputText;
}

if (require.main === module) {
  const built = buildLambda();
  const current = (() => {
    try {
      return readFileSync(LAMBDA_OUTPUT, "utf8");
    } catch {
      return "";
    }
  })();
  if (process.argv.includes("--check")) {
    console.log(current === built ? "lambda: up to date" : "lambda: stale, run npm run lambda");
    process.exit(current === built ? 0 : 1);
  }
  writeFileSync(LAMBDA_OUTPUT, built);
  console.log(`lambda: wrote ${path.relative(ROOT, LAMBDA_OUTPUT)}`);
}
