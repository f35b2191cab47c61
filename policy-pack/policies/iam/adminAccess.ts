import type { PolicyResource } from "@pulumi/policy";
import {
  amountsToEverything,
  coversIdentities,
  isEveryAction,
  pinned,
  privilegedGranted,
  requiresMfa,
  resourcesOf,
} from "../lib/iam";
import { ACCESS } from "../lib/levels";
import { groupOf } from "../lib/types";
import { resourcePolicy, stackPolicy } from "../lib/policy";
import { PolicyStatement, list, statements, strings, tagsOf } from "../lib/props";

export const IAM = {
  role: "aws:iam/role:Role",
  user: "aws:iam/user:User",
  group: "aws:iam/group:Group",
  policy: "aws:iam/policy:Policy",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
  roleAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  userAttachment: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  groupAttachment: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  roleAttachmentsExclusive: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
  userAttachmentsExclusive: "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
  groupAttachmentsExclusive:
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
  groupMembership: "aws:iam/groupMembership:GroupMembership",
  userGroupMembership: "aws:iam/userGroupMembership:UserGroupMembership",
  loginProfile: "aws:iam/userLoginProfile:UserLoginProfile",
  accessKey: "aws:iam/accessKey:AccessKey",
  serviceCredential: "aws:iam/serviceSpecificCredential:ServiceSpecificCredential",
} as const;

/**
 * AWS managed policies that grant administrator rights or the means to take them:
 * "AWS managed policies for job functions",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html and the
 * policies' own documents (IAMFullAccess grants iam:*, PowerUserAccess every action but IAM and
 * Organizations, with iam:PassRole-free service-linked role creation).
 */
export const ADMIN_MANAGED_POLICIES = [
  "AdministratorAccess",
  "AdministratorAccess-Amplify",
  "AdministratorAccess-AWSElasticBeanstalk",
  "IAMFullAccess",
  "PowerUserAccess",
  "AWSOrganizationsFullAccess",
  "AWSSSOMasterAccountAdministrator",
];

export function isAdminManagedPolicy(arn: unknown): boolean {
  if (typeof arn !== "string") return false;
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn.trim());
  return m !== null && ADMIN_MANAGED_POLICIES.includes(m[1]);
}

/** Why a statement amounts to administrator rights; empty when it does not. */
export function adminReasons(s: PolicyStatement): string[] {
  if (s.Effect !== "Allow") return [];
  const resources = resourcesOf(s);
  const everything = resources.some(amountsToEverything);
  const reasons: string[] = [];
  if (s.NotAction !== undefined && everything) {
    reasons.push(
      `allows every action but ${strings(s.NotAction).join(", ")} on ${resources.join(", ")}`,
    );
  } else if (strings(s.Action).some(isEveryAction) && everything) {
    reasons.push(`allows every action on ${resources.join(", ")}`);
  }
  if (reasons.length) return reasons;
  // Admin-equivalent actions on every role or user, unless a condition pins what they may grant.
  if (!resources.some(coversIdentities)) return [];
  if (pinned(s, ["iam:PermissionsBoundary", "iam:PolicyARN", "iam:PassedToService"])) return [];
  const granted = privilegedGranted(s);
  if (granted.length)
    reasons.push(
      `grants admin-equivalent actions (${granted.slice(0, 3).join(", ")}${granted.length > 3 ? ` and ${granted.length - 3} more` : ""}) on ${resources.join(", ")}`,
    );
  return reasons;
}

const reasonsByDocument = new Map<string, string[]>();

/** Why a policy document amounts to administrator rights (memoized by its text). */
export function documentAdminReasons(doc: unknown): string[] {
  const key = typeof doc === "string" ? doc : undefined;
  const known = key !== undefined ? reasonsByDocument.get(key) : undefined;
  if (known) return known;
  const reasons = statements(doc).flatMap(adminReasons);
  if (key !== undefined && reasonsByDocument.size < 5_000) reasonsByDocument.set(key, reasons);
  return reasons;
}

/** A role that may hold administrator rights: tagged BreakGlass=true and assumable only with MFA. */
export function isBreakGlass(role: PolicyResource | undefined): boolean {
  if (!role) return false;
  const tag = Object.entries(tagsOf(role.props)).find(([k]) => k.toLowerCase() === "breakglass");
  if (String(tag?.[1] ?? "").toLowerCase() !== "true") return false;
  const trust = statements(role.props.assumeRolePolicy).filter((s) => s.Effect === "Allow");
  return trust.length > 0 && trust.every(requiresMfa);
}

const indexes = new WeakMap<readonly PolicyResource[], IamIndex>();

/** Looks up IAM identities and policies by any name they are referred to by. */
export class IamIndex {
  /** One index per stack run, shared by the IAM policies. */
  static of(resources: readonly PolicyResource[]): IamIndex {
    let i = indexes.get(resources);
    if (!i) {
      i = new IamIndex(resources);
      indexes.set(resources, i);
    }
    return i;
  }

  private readonly keys = new Map<string, PolicyResource>();
  readonly of: (type: string) => PolicyResource[];

  constructor(readonly resources: readonly PolicyResource[]) {
    this.of = (t) => groupOf(resources, t);
    for (const t of [IAM.role, IAM.user, IAM.group, IAM.policy])
      for (const r of this.of(t))
        for (const k of [r.props.name, r.props.id, r.props.arn])
          if (typeof k === "string" && k) this.keys.set(`${t}|${k}`, r);
  }

  find(type: string, key: unknown): PolicyResource | undefined {
    return typeof key === "string" ? this.keys.get(`${type}|${key}`) : undefined;
  }

  /** Why attaching this policy ARN grants administrator rights; undefined when it does not. */
  adminPolicy(arn: unknown): string | undefined {
    if (isAdminManagedPolicy(arn)) return `the AWS managed ${String(arn).split("/").pop()}`;
    const own = this.find(IAM.policy, arn);
    const reasons = own ? documentAdminReasons(own.props.policy) : [];
    return reasons.length ? `${own!.name}, which ${reasons[0]}` : undefined;
  }

  /** ARNs used as permissions boundaries (a boundary is a ceiling and grants nothing). */
  boundaries(): Set<unknown> {
    return new Set(
      [...this.of(IAM.role), ...this.of(IAM.user)].map((r) => r.props.permissionsBoundary),
    );
  }
}

export const IAM_TYPES: readonly string[] = Object.values(IAM);

export const iamPolicyDisallowAdminWildcard = stackPolicy(
  {
    name: "iam-policy-disallow-admin-wildcard",
    description:
      'No identity gets administrator rights, by any mechanism, except an MFA-gated break-glass role (tagged BreakGlass=true): no Allow of every action on resources that amount to everything ("*", arn:aws:*:*:<account>:*), no Allow with NotAction on them, no admin-equivalent actions (IAM, Identity Center and Organizations permission management, credential creation, iam:PassRole) on every role or user, no AWS managed admin policy (AdministratorAccess, IAMFullAccess, PowerUserAccess, ...) attached through RolePolicyAttachment, PolicyAttachment, User/GroupPolicyAttachment, the exclusive attachments or a role\'s managedPolicyArns, and no customer-managed policy with such statements, attached or not (unless used only as a permissions boundary).',
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: [...ACCESS, "164.308(a)(3)(ii)(A)"],
    remediationSteps:
      "Grant the actions and resources the principal needs; keep full administration on the single MFA-gated break-glass role.",
    levelReason:
      "Administrator rights on an everyday principal put every patient record one stolen credential away.",
  },
  IAM_TYPES,
  (resources, report) => {
    const iam = IamIndex.of(resources);
    const role = (key: unknown) => iam.find(IAM.role, key);
    const boundaries = iam.boundaries();
    const attached = new Set<unknown>();

    const attach = (at: PolicyResource, arn: unknown, holder: string, breakGlass: boolean) => {
      attached.add(arn);
      const why = iam.adminPolicy(arn);
      if (why && !breakGlass)
        report(
          `${at.name} gives ${holder} administrator rights through ${why}: attach least-privilege policies, or make it the MFA-gated break-glass role`,
          at.urn,
        );
    };

    for (const r of iam.of(IAM.role)) {
      const bg = isBreakGlass(r);
      for (const arn of strings(r.props.managedPolicyArns))
        attach(r, arn, `the role ${r.name}`, bg);
      for (const p of list(r.props.inlinePolicies)) {
        const reasons = documentAdminReasons(p.policy);
        if (reasons.length && !bg)
          report(
            `${r.name} has an inline policy that ${reasons[0]}: grant only what it needs`,
            r.urn,
          );
      }
    }
    for (const rp of iam.of(IAM.rolePolicy)) {
      const reasons = documentAdminReasons(rp.props.policy);
      if (reasons.length && !isBreakGlass(role(rp.props.role)))
        report(
          `${rp.name} ${reasons[0]}: grant only the actions and resources its role needs`,
          rp.urn,
        );
    }
    for (const r of [...iam.of(IAM.userPolicy), ...iam.of(IAM.groupPolicy)]) {
      const reasons = documentAdminReasons(r.props.policy);
      if (reasons.length)
        report(
          `${r.name} ${reasons[0]} to a user or group: use the break-glass role instead`,
          r.urn,
        );
    }
    for (const a of iam.of(IAM.roleAttachment))
      attach(
        a,
        a.props.policyArn,
        role(a.props.role)?.name ?? String(a.props.role),
        isBreakGlass(role(a.props.role)),
      );
    for (const a of [...iam.of(IAM.userAttachment), ...iam.of(IAM.groupAttachment)])
      attach(
        a,
        a.props.policyArn,
        `the ${a.type === IAM.userAttachment ? "user" : "group"} ${String(a.props.user ?? a.props.group)}`,
        false,
      );
    for (const a of iam.of(IAM.policyAttachment)) {
      const roles = strings(a.props.roles);
      const people = [...strings(a.props.users), ...strings(a.props.groups)];
      const allBreakGlass =
        people.length === 0 && roles.length > 0 && roles.every((k) => isBreakGlass(role(k)));
      attach(
        a,
        a.props.policyArn,
        [...roles, ...people].join(", ") || "its identities",
        allBreakGlass,
      );
    }
    for (const a of iam.of(IAM.roleAttachmentsExclusive))
      for (const arn of strings(a.props.policyArns))
        attach(a, arn, String(a.props.roleName), isBreakGlass(role(a.props.roleName)));
    for (const a of [
      ...iam.of(IAM.userAttachmentsExclusive),
      ...iam.of(IAM.groupAttachmentsExclusive),
    ])
      for (const arn of strings(a.props.policyArns))
        attach(a, arn, String(a.props.userName ?? a.props.groupName), false);

    // A customer-managed admin policy is refused before anything attaches it, unless it only
    // serves as a permissions boundary.
    for (const p of iam.of(IAM.policy)) {
      const reasons = documentAdminReasons(p.props.policy);
      if (!reasons.length) continue;
      const keys = [p.props.arn, p.props.id, p.props.name];
      if (keys.some((k) => attached.has(k))) continue;
      if (keys.some((k) => k !== undefined && boundaries.has(k))) continue;
      report(
        `${p.name} ${reasons[0]}: grant only what its holders need (a permissions boundary is exempt only while nothing attaches it)`,
        p.urn,
      );
    }
  },
);

const DOCUMENT_TYPES = {
  [IAM.policy]: "policy",
  [IAM.rolePolicy]: "policy",
  [IAM.userPolicy]: "policy",
  [IAM.groupPolicy]: "policy",
} as const;

/** Allows a whole service (`s3:*`), which cdk-nag calls full access. */
function serviceWildcards(s: PolicyStatement): string[] {
  return s.Effect === "Allow" ? strings(s.Action).filter((a) => /^[a-z0-9-]+:\*+$/i.test(a)) : [];
}

export const iamPolicyDisallowServiceWildcards = resourcePolicy(
  {
    name: "iam-policy-disallow-service-wildcards",
    description: 'IAM policies allow named actions rather than whole services ("s3:*").',
    enforcementLevel: "advisory",
    severity: "medium",
    hipaa: [...ACCESS],
    remediationSteps: "Replace service:* with the actions the principal calls.",
    levelReason:
      "Full access to one service is broad but bounded, and some service roles legitimately need it (log delivery): advisory, while * on * is mandatory.",
  },
  Object.fromEntries(
    Object.entries(DOCUMENT_TYPES).map(([type, property]) => [
      type,
      (r: { name: string; props: Record<string, unknown> }, report: (m: string) => void) => {
        const wildcards = [...new Set(statements(r.props[property]).flatMap(serviceWildcards))];
        if (wildcards.length)
          report(`${r.name} allows ${wildcards.join(", ")}: list the actions needed instead`);
      },
    ]),
  ),
);
