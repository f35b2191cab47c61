// Mocha's configuration (CommonJS: it decides the spec list when mocha starts).
//
// Spec files or folders named on the command line (`npx mocha tests/infra/audit.spec.ts`,
// `npx mocha tests/preflight`) run alone: mocha adds the configured `spec` to the files it is given,
// so with a fixed list every such run ran the whole suite. The list is left out when one is named.
const named = process.argv
  .slice(2)
  .some((arg) => !arg.startsWith("-") && /(^|\/)tests(\/|$)|\.ts$/.test(arg));

module.exports = {
  // V8's background threads sized to the machine, as the plan's command sets them
  // (tools/engine/v8-pool.ts).
  "node-option": ["import=tsx", "v8-pool-size=0"],
  spec: named ? [] : ["tests/**/*.spec.ts"],
  extension: ["ts"],
  timeout: 60000,
  forbidOnly: true,
  forbidPending: true,
  require: ["tests/setup.ts"],
};
