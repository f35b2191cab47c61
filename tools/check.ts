/**
 * `npm run check`: typecheck and lint with one TypeScript program. `tsc --noEmit` and typed ESLint
 * each build the same program (3,300 files, most of them @pulumi/aws's declarations) and each
 * spends seconds on it; here tsc's program is built once, its diagnostics are the typecheck, and
 * ESLint reuses it for type information (typescript-eslint's `programs` option).
 */
import { ESLint } from "eslint";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");

function createProgram(): ts.Program {
  const configFile = path.join(ROOT, "tsconfig.json");
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configFile,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${configFile}`);
  return ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
}

async function main(): Promise<number> {
  const started = performance.now();
  const program = createProgram();
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const typecheckMs = performance.now() - started;
  if (diagnostics.length) {
    console.log(
      ts.formatDiagnosticsWithColorAndContext(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => ROOT,
        getNewLine: () => "\n",
      }),
    );
  }

  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfig: {
      languageOptions: {
        parserOptions: { programs: [program], project: null, projectService: false },
      },
    },
  });
  const results = await eslint.lintFiles(["."]);
  const formatter = await eslint.loadFormatter("stylish");
  const report = await formatter.format(results);
  if (report.trim()) console.log(report);
  const errors = results.reduce((n, r) => n + r.errorCount, 0);
  const warnings = results.reduce((n, r) => n + r.warningCount, 0);
  console.log(
    `typecheck: ${diagnostics.length} errors (${(typecheckMs / 1000).toFixed(1)} s); eslint: ${errors} errors, ${warnings} warnings in ${results.length} files (${((performance.now() - started - typecheckMs) / 1000).toFixed(1)} s)`,
  );
  return diagnostics.length || errors ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`check: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
