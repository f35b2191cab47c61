// Mocha's configuration (CommonJS: it decides the spec list when mocha starts).
//
// Spec files or folders named on the command line (`npx mocha tests/infra/audit.spec.ts`,
// `npx mocha tests/preflight`) run alone: mocha adds the configured `spec` to the files it is given,
// so with a fixed list every such run ran the whole suite. The list is left out when one is named.
const named = process.argv
  .slice(2)
  .some((arg) => !arg.startsWith("-") && /(^|\/)tests(\/|$)|\.ts$/.test(arg));

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
  extension: ["ts"],
  timeout: 60000,
  forbidOnly: true,
  forbidPending: true,
  require: ["tests/setup.ts"],
};
