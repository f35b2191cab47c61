/** IAM policy documents: who they let do what, and under which conditions. */
import { PolicyStatement, strings } from "./props";

export function actionsOf(s: PolicyStatement): string[] {
  return strings(s.Action);
}

export function resourcesOf(s: PolicyStatement): string[] {
  return s.Resource === undefined ? ["*"] : strings(s.Resource);
}

/** Allows every action on every resource. */
export function isAdminStatement(s: PolicyStatement): boolean {
  return (
    s.Effect === "Allow" &&
    actionsOf(s).some((a) => a === "*" || a === "*:*") &&
    resourcesOf(s).includes("*")
  );
}

/** Allows a whole service (`s3:*`), which cdk-nag calls full access. */
export function serviceWildcards(s: PolicyStatement): string[] {
  return s.Effect === "Allow" ? actionsOf(s).filter((a) => /^[a-z0-9-]+:\*$/.test(a)) : [];
}

/** AWS principals (accounts, roles, users) a trust or resource policy names. */
export function awsPrincipals(s: PolicyStatement): string[] {
  if (s.Principal === "*") return ["*"];
  const p = s.Principal as { AWS?: unknown } | undefined;
  return strings(p?.AWS);
}

export function requiresMfa(s: PolicyStatement): boolean {
  const c = s.Condition ?? {};
  const present = [c.Bool, c.BoolIfExists].some((b) =>
    strings(b?.["aws:MultiFactorAuthPresent"]).includes("true"),
  );
  const age = [c.NumericLessThan, c.NumericLessThanEquals].some(
    (n) => n?.["aws:MultiFactorAuthAge"] !== undefined,
  );
  return present || age;
}

/** Condition keys that narrow a wildcard principal to a known account, organisation, source or network. */
export const NARROWING_KEYS = [
  "aws:SourceAccount",
  "aws:SourceArn",
  "aws:SourceOwner",
  "aws:PrincipalOrgID",
  "aws:PrincipalAccount",
  "aws:PrincipalArn",
  "aws:SourceVpce",
  "aws:SourceVpc",
  "kms:CallerAccount",
];

export function isNarrowed(s: PolicyStatement): boolean {
  return Object.values(s.Condition ?? {}).some((block) =>
    Object.keys(block ?? {}).some((k) => NARROWING_KEYS.includes(k)),
  );
}
