/**
 * A small IAM evaluator for tests on the platform's policy documents: explicit deny wins, then an
 * action must be allowed by the identity policy and by the permission boundary. Wildcards in
 * actions and resources, NotAction, and the condition operators the platform uses are understood;
 * a condition it does not understand throws, so a test never passes by ignoring one.
 */
import type { PolicyDocument, Statement } from "../../infra/iam";

export type RequestContext = Readonly<Record<string, string | undefined>>;

function glob(pattern: string, value: string, caseInsensitive = false): boolean {
  const source = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, caseInsensitive ? "i" : "").test(value);
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : [v].flat());

function conditionHolds(operator: string, key: string, expected: string[], ctx: RequestContext) {
  const actual = ctx[key];
  switch (operator) {
    case "StringEquals":
    case "ArnEquals":
      return actual !== undefined && expected.includes(actual);
    case "StringNotEquals":
    case "ArnNotEquals":
    case "StringNotEqualsIfExists":
      return actual === undefined || !expected.includes(actual);
    case "StringLike":
    case "ArnLike":
      return actual !== undefined && expected.some((e) => glob(e, actual));
    case "StringNotLike":
      return actual === undefined || !expected.some((e) => glob(e, actual));
    case "Bool":
      return actual !== undefined && expected.includes(actual);
    case "BoolIfExists":
      return actual === undefined || expected.includes(actual);
    case "Null":
      // "true": the key is absent from the request; "false": it is present.
      return (actual === undefined) === (expected[0] === "true");
    case "NumericLessThan":
      return actual !== undefined && Number(actual) < Number(expected[0]);
    default:
      throw new Error(`the test evaluator does not know the condition operator ${operator}`);
  }
}

function applies(s: Statement, action: string, resource: string, ctx: RequestContext): boolean {
  const actionMatch =
    s.NotAction !== undefined
      ? !list(s.NotAction).some((a) => glob(a, action, true))
      : list(s.Action).some((a) => glob(a, action, true));
  if (!actionMatch) return false;
  // A trust or resource policy names no Resource: it is about the resource it is attached to.
  if (s.Resource !== undefined && !list(s.Resource).some((r) => glob(r, resource))) return false;
  for (const [operator, entries] of Object.entries(s.Condition ?? {})) {
    for (const [key, value] of Object.entries(entries)) {
      if (!conditionHolds(operator, key, list(value), ctx)) return false;
    }
  }
  return true;
}

/** Whether a principal with these policies (identity, then boundary if any) may do this. */
export function isAllowed(
  identity: PolicyDocument,
  boundary: PolicyDocument | undefined,
  action: string,
  resource: string,
  ctx: RequestContext = {},
): boolean {
  const docs = boundary ? [identity, boundary] : [identity];
  const matching = (doc: PolicyDocument, effect: "Allow" | "Deny") =>
    doc.Statement.some((s) => s.Effect === effect && applies(s, action, resource, ctx));
  if (docs.some((d) => matching(d, "Deny"))) return false;
  return docs.every((d) => matching(d, "Allow"));
}

/** Whether a resource policy's explicit deny refuses this request, whoever the principal. */
export function denies(
  policy: PolicyDocument,
  action: string,
  resource: string,
  ctx: RequestContext = {},
): boolean {
  return policy.Statement.some((s) => s.Effect === "Deny" && applies(s, action, resource, ctx));
}
