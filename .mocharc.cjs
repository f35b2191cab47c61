// Mocha's configuration (CommonJS: it decides the spec list when mocha starts).
//
// Spec files or folders named on the command line (`npx mocha tests/infra/audit.spec.ts`,
// `npx mocha tests/preflight`, `--spec=tests/tools/sdk.spec.ts`) run alone, whichever lane lists
// them: mocha adds the configured `spec` to the files it is given and applies `ignore` to them, so
// both are left out when one is named. An argument names one when mocha reads it as a spec: not an
// option, nor the value of an option that takes one (`--grep tests`, `-R dot`), as mocha's own
// option table says (lib/cli/run-option-metadata.cjs; the types yargs parses its options with).
const { expectedTypeForFlag } = require("mocha/lib/cli/run-option-metadata.cjs");

function namesSpecs(args) {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") return i + 1 < args.length;
    if (!arg.startsWith("-") || arg === "-") return true;
    const [flag, value] = arg.split(/=(.*)/s);
    if (flag === "--spec") return value !== undefined || i + 1 < args.length;
    const type = expectedTypeForFlag(flag);
    if (value === undefined && type !== undefined && type !== "boolean") i++;
  }
  return false;
}

const named = namesSpecs(process.argv.slice(2));

// The end-to-end suites: each starts processes or threads of its own that load the SDK (about a
// second of CPU each) to run the engine as users run it: the plan on programs outside this
// repository in child processes, the pack as the engine's analyzer server, the engine's evaluation
// against a reference in fresh children, the SDK's loading in fresh workers, child reuse, niceness.
// `npm test` leaves them out and `npm run verify` runs them (`npm run test:e2e`, .mocharc.e2e.cjs),
// as it runs the typecheck, lint and format check; CI (.ci/run) runs both. The split keeps
// `npm test` under 30 s on a fresh clone of a two-core machine (issue 17). tests/mocharc.spec.ts
// checks that each file listed exists and that the two lanes together run every spec file.
const E2E = [
  "tests/policy-pack/server.spec.ts",
  "tests/tools/child.spec.ts",
  "tests/tools/engine-reference.spec.ts",
  "tests/tools/niceness.spec.ts",
  "tests/tools/plan-anywhere.spec.ts",
  "tests/tools/sdk.spec.ts",
];

module.exports = {
  // tsx's CommonJS hook only: the specs load with `require` (mocha does so where Node has
  // require(esm), as 20.19 does), and tsx's ES module hooks cost every run a loader thread and tsx
  // compiling mocha's own files (mocha's CLI started: 0.28-0.30 s against 0.47-0.48 s with
  // `import=tsx`, five runs each). Installed packages then load natively, mocha's own included, as
  // in the plan (tools/engine/native-deps.ts). So `import()` of a TypeScript file does not load
  // in the suites' process (none does; evaluated programs load in workers and children, each with
  // its own hooks). V8's background threads sized to the machine, as the plan's command sets
  // them (tools/engine/v8-pool.ts).
  "node-option": ["require=tsx/cjs", "require=./tools/engine/native-deps.ts", "v8-pool-size=0"],
  spec: named ? [] : ["tests/**/*.spec.ts"],
  // A file named on the command line runs whichever lane it belongs to.
  ignore: named ? [] : E2E,
  extension: ["ts"],
  timeout: 60000,
  forbidOnly: true,
  forbidPending: true,
  require: ["tests/setup.ts"],
};
