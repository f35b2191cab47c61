import type { PolicyResource } from "@pulumi/policy";
import { isAdminStatement, requiresMfa, serviceWildcards } from "../lib/iamdocs";
import { ACCESS } from "../lib/levels";
import { resourcePolicy, stackPolicy } from "../lib/policy";
import { list, statements, tagsOf } from "../lib/props";

const ROLE = "aws:iam/role:Role";
const POLICY = "aws:iam/policy:Policy";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const USER_POLICY = "aws:iam/userPolicy:UserPolicy";
const GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy";
const ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const USER_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment";
const GROUP_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment";
const ADMIN_ARN = /:policy\/AdministratorAccess$/;

/** A role that may hold administrator rights: tagged BreakGlass=true and assumable only with MFA. */
export function isBreakGlass(role: PolicyResource): boolean {
  if (tagsOf(role.props).BreakGlass !== "true") return false;
  const trust = statements(role.props.assumeRolePolicy).filter((s) => s.Effect === "Allow");
  return trust.length > 0 && trust.every(requiresMfa);
}

export const iamPolicyDisallowAdminWildcard = stackPolicy(
  {
    name: "iam-policy-disallow-admin-wildcard",
    description:
      'No IAM policy allows "*" actions on "*" resources, and AdministratorAccess is not attached, except to a break-glass role (tagged BreakGlass=true) that requires MFA to assume.',
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: [...ACCESS, "164.308(a)(3)(ii)(A)"],
    remediationSteps:
      "Grant the actions and resources the principal needs; keep full administration on the single MFA-gated break-glass role.",
    levelReason:
      "Administrator rights on an everyday principal put every patient record one stolen credential away.",
  },
  [
    ROLE,
    POLICY,
    ROLE_POLICY,
    USER_POLICY,
    GROUP_POLICY,
    ROLE_ATTACHMENT,
    USER_ATTACHMENT,
    GROUP_ATTACHMENT,
  ],
  (resources, report) => {
    const of = (t: string) => resources.filter((r) => r.type === t);
    const roles = new Map(
      of(ROLE).flatMap(
        (r) =>
          [
            [String(r.props.name ?? ""), r],
            [String(r.props.id ?? ""), r],
            [String(r.props.arn ?? ""), r],
          ] as const,
      ),
    );
    const adminPolicyArns = new Set(
      of(POLICY)
        .filter((p) => statements(p.props.policy).some(isAdminStatement))
        .map((p) => String(p.props.arn ?? "")),
    );

    for (const role of of(ROLE)) {
      const inline = list(role.props.inlinePolicies).some((p) =>
        statements(p.policy).some(isAdminStatement),
      );
      if (inline && !isBreakGlass(role))
        report(
          `${role.name} has an inline policy allowing * on *: grant only what it needs`,
          role.urn,
        );
    }
    for (const rp of of(ROLE_POLICY)) {
      if (!statements(rp.props.policy).some(isAdminStatement)) continue;
      const role = roles.get(String(rp.props.role ?? ""));
      if (!role || !isBreakGlass(role))
        report(
          `${rp.name} allows * on *: grant only the actions and resources its role needs`,
          rp.urn,
        );
    }
    for (const attachment of of(ROLE_ATTACHMENT)) {
      const arn = String(attachment.props.policyArn ?? "");
      if (!ADMIN_ARN.test(arn) && !adminPolicyArns.has(arn)) continue;
      const role = roles.get(String(attachment.props.role ?? ""));
      if (!role || !isBreakGlass(role)) {
        report(
          `${attachment.name} gives ${role?.name ?? String(attachment.props.role)} administrator rights: attach least-privilege policies, or make it the MFA-gated break-glass role`,
          attachment.urn,
        );
      }
    }
    for (const r of [...of(USER_POLICY), ...of(GROUP_POLICY)]) {
      if (statements(r.props.policy).some(isAdminStatement))
        report(
          `${r.name} allows * on * to a user or group: use the break-glass role instead`,
          r.urn,
        );
    }
    for (const r of [...of(USER_ATTACHMENT), ...of(GROUP_ATTACHMENT)]) {
      const arn = String(r.props.policyArn ?? "");
      if (ADMIN_ARN.test(arn) || adminPolicyArns.has(arn))
        report(
          `${r.name} gives a user or group administrator rights: use the break-glass role instead`,
          r.urn,
        );
    }
  },
);

const DOCUMENT_TYPES = {
  [POLICY]: "policy",
  [ROLE_POLICY]: "policy",
  [USER_POLICY]: "policy",
  [GROUP_POLICY]: "policy",
} as const;

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
