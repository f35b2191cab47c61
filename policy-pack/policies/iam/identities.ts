import { awsPrincipals, isNarrowed, requiresMfa } from "../lib/iamdocs";
import { ACCESS } from "../lib/levels";
import { ResourceCheck, resourcePolicy } from "../lib/policy";
import { statements, strings } from "../lib/props";

/** People sign in through federation and assume roles; IAM users hold no standing credentials or rights. */
export const iamUserDisallowCredentials = resourcePolicy(
  {
    name: "iam-user-disallow-credentials",
    description: "IAM users get no policies (inline or attached) and no access keys.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...ACCESS, "164.312(d)", "164.308(a)(5)(ii)(D)"],
    remediationSteps:
      "Remove the user's policies and keys; give people federated sign-in and MFA-gated roles.",
    levelReason:
      "Long-lived access keys leak (repositories, laptops) and never expire; user-attached rights escape role review.",
  },
  {
    "aws:iam/userPolicy:UserPolicy": (r, report) =>
      report(
        `${r.name} gives an IAM user an inline policy: grant access through an MFA-gated role instead`,
      ),
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": (r, report) =>
      report(
        `${r.name} attaches a policy to an IAM user: grant access through an MFA-gated role instead`,
      ),
    "aws:iam/accessKey:AccessKey": (r, report) =>
      report(
        `${r.name} creates a long-lived access key: use roles (instance profiles, OIDC for CI) instead`,
      ),
    "aws:iam/policyAttachment:PolicyAttachment": (r, report) => {
      if (strings(r.props.users).length)
        report(`${r.name} attaches a policy to IAM users: attach it to roles only`);
    },
  },
);

/** Roles people assume demand MFA. */
export const iamRoleEnforceMfa = resourcePolicy(
  {
    name: "iam-role-enforce-mfa",
    description:
      "Roles assumable by AWS principals (people, other accounts) require MFA in their trust policy; service and federated (OIDC/SAML) trusts are unaffected.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: ["164.312(d)", "164.312(a)(1)"],
    remediationSteps:
      'Add Condition { Bool: { "aws:MultiFactorAuthPresent": "true" } } to each statement that trusts AWS principals.',
    levelReason: "A password alone is not person-or-entity authentication adequate for PHI access.",
  },
  {
    "aws:iam/role:Role": (r, report) => {
      for (const s of statements(r.props.assumeRolePolicy)) {
        if (s.Effect !== "Allow" || awsPrincipals(s).length === 0) continue;
        if (!requiresMfa(s)) {
          report(
            `${r.name} can be assumed by ${awsPrincipals(s).join(", ")} without MFA: add aws:MultiFactorAuthPresent "true" to the trust policy's Condition`,
          );
        }
      }
    },
  },
);

const RESOURCE_POLICIES: Record<string, string> = {
  "aws:kms/key:Key": "policy",
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
  "aws:sns/topic:Topic": "policy",
  "aws:sns/topicPolicy:TopicPolicy": "policy",
  "aws:sqs/queue:Queue": "policy",
  "aws:sqs/queuePolicy:QueuePolicy": "policy",
  "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
  "aws:efs/fileSystemPolicy:FileSystemPolicy": "policy",
};

const wildcardCheck =
  (property: string): ResourceCheck =>
  (r, report) => {
    statements(r.props[property]).forEach((s, i) => {
      if (s.Effect === "Allow" && awsPrincipals(s).includes("*") && !isNarrowed(s)) {
        report(
          `${r.name} lets anyone (Principal "*") ${String(s.Action)} in statement ${s.Sid ?? i}: name the principals, or narrow with aws:SourceAccount, aws:SourceArn, aws:PrincipalOrgID or aws:SourceVpce`,
        );
      }
    });
  };

export const iamResourcePolicyDisallowWildcardPrincipal = resourcePolicy(
  {
    name: "iam-resourcepolicy-disallow-wildcard-principal",
    description:
      'Key, bucket, topic, queue, secret and file system policies allow no "*" principal unless a condition narrows it to an account, organisation, source or endpoint. Lambda permissions likewise.',
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: [...ACCESS],
    remediationSteps:
      'Replace Principal "*" with the principals that need access, or add an aws:SourceAccount / aws:PrincipalOrgID / aws:SourceVpce condition.',
    levelReason:
      "A wildcard principal on a resource policy is a public grant to every AWS account in the world.",
  },
  {
    ...Object.fromEntries(Object.entries(RESOURCE_POLICIES).map(([t, p]) => [t, wildcardCheck(p)])),
    "aws:lambda/permission:Permission": (r, report) => {
      const narrowed = ["sourceArn", "sourceAccount", "principalOrgId"].some(
        (k) => typeof r.props[k] === "string",
      );
      if (r.props.principal === "*" && !narrowed) {
        report(
          `${r.name} lets anyone invoke the function: set principal to the calling service and sourceArn or sourceAccount`,
        );
      }
    },
    "aws:lambda/functionUrl:FunctionUrl": (r, report) => {
      if (r.props.authorizationType === "NONE")
        report(`${r.name} is a public, unauthenticated URL: set authorizationType to "AWS_IAM"`);
    },
  },
);
