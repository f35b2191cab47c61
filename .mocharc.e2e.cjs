// The end-to-end lane (`npm run test:e2e`, run by `npm run verify`): the suites .mocharc.cjs
// leaves out of `npm test`, with its settings otherwise (node options, setup, timeout).
const base = require("./.mocharc.cjs");

module.exports = { ...base, spec: base.ignore, ignore: [] };
