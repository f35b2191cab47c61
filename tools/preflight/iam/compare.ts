/**
 * iam-policy (0.1.109) compares condition operators without case by `localeCompare` with an
 * options object (`caseInsensitiveEquals`, `caseInsensitiveEndsWith` in its utils.js), and V8 builds
 * a collator for each such call. The simulator asks it on every condition it evaluates ("does
 * StringEqualsIfExists end with IfExists?"), for the same few operator names again and again: at
 * 50 research enclaves that was a fifth of the preflight's CPU time (--cpu-prof, 2.2 s of 11.5 s).
 *
 * Both functions are replaced, in the module the library's own code calls them through, by
 * memoized wrappers around the library's own functions: each pair of strings is answered by the
 * library once, and by that answer after, so every comparison's result is the library's. Anything
 * but two strings goes to the library as is (and fails there as it would).
 */
import * as path from "node:path";

type Compare = (first: string, second: string) => boolean;

interface UtilsModule {
  caseInsensitiveEquals: Compare;
  caseInsensitiveEndsWith: Compare;
}

/** Past this many first strings per second string, a memo starts over (bounded memory). */
const MAX_MEMOIZED = 4096;

const MEMOIZED = Symbol("ehealth.memoized");

/** `compare`, answering each pair of strings from its first answer. */
export function memoized(compare: Compare): Compare {
  const bySecond = new Map<string, Map<string, boolean>>();
  const wrapper = (first: string, second: string): boolean => {
    if (typeof first !== "string" || typeof second !== "string") return compare(first, second);
    let byFirst = bySecond.get(second);
    if (!byFirst) bySecond.set(second, (byFirst = new Map()));
    let answer = byFirst.get(first);
    if (answer === undefined) {
      if (byFirst.size >= MAX_MEMOIZED) byFirst.clear();
      byFirst.set(first, (answer = compare(first, second)));
    }
    return answer;
  };
  return Object.assign(wrapper, { [MEMOIZED]: compare });
}

/** The library's own function behind a memoized one (the function itself when not memoized). */
export function original(compare: Compare): Compare {
  return (compare as Compare & { [MEMOIZED]?: Compare })[MEMOIZED] ?? compare;
}

/**
 * The CommonJS utils module of the iam-policy that iam-simulate loads (the one its condition
 * evaluation calls into).
 */
export function iamPolicyUtils(): UtilsModule {
  const simulateEntry = require.resolve("@cloud-copilot/iam-simulate");
  const policyEntry = require.resolve("@cloud-copilot/iam-policy", { paths: [simulateEntry] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(path.dirname(policyEntry), "utils.js")) as UtilsModule;
}

/** Memoizes the library's two comparisons once per process; returns its utils module. */
export function memoizeComparisons(): UtilsModule {
  const utils = iamPolicyUtils();
  for (const name of ["caseInsensitiveEquals", "caseInsensitiveEndsWith"] as const) {
    const own = utils[name];
    if (typeof own === "function" && original(own) === own) utils[name] = memoized(own);
  }
  return utils;
}
