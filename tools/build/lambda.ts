/**
 * `npm run lambda`: writes the research upload function's deployable code. The TypeScript source
 * (infra/research/upload/function.ts) is transpiled as it is, without bundling, into one ES module
 * that Lambda's Node.js runtime loads; the program deploys that file, and a test fails when it is
 * stale.
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
  writeFileSync(LAMBDA_OUTPUT, buildLambda());
  console.log(`lambda: wrote ${path.relative(ROOT, LAMBDA_OUTPUT)}`);
}
