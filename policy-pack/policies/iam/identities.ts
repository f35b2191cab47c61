import {
  PINNING_KEYS,
  confined,
  pinned,
  pinnedToAddresses,
  principalsOf,
  requiresMfa,
} from "../lib/iam";
import { ACCESS } from "../lib/levels";
import { resourcePolicy, stackPolicy } from "../lib/policy";
import { PolicyStatement, obj, statements, strings } from "../lib/props";
import { IAM, IamIndex } from "./adminAccess";

/**
 * People sign in through federation and assume roles; IAM users hold no standing credentials
 * (access keys, console passwords) and no rights, whether attached to them or to a group they
 * join.
 */
export const iamUserDisallowCredentials = stackPolicy(
  {
    name: "iam-user-disallow-credentials",
    description:
      "IAM users get no policies (inline, attached, exclusive or through PolicyAttachment), no access keys or service-specific credentials, no console password (UserLoginProfile), and no membership of a group that has policies.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...ACCESS, "164.312(d)", "164.308(a)(5)(ii)(D)"],
    remediationSteps:
      "Remove the user's policies, keys, password and group memberships; give people federated sign-in (IAM Identity Center) and MFA-gated roles.",
    levelReason:
      "Long-lived access keys and passwords leak (repositories, laptops, phishing) and never expire; rights held by users, directly or through groups, escape role review.",
  },
  Object.values(IAM),
  (resources, report) => {
    const iam = IamIndex.of(resources);
    for (const r of iam.of(IAM.userPolicy))
      report(
        `${r.name} gives an IAM user an inline policy: grant access through an MFA-gated role instead`,
        r.urn,
      );
    for (const r of [...iam.of(IAM.userAttachment), ...iam.of(IAM.userAttachmentsExclusive)])
      report(
        `${r.name} attaches a policy to an IAM user: grant access through an MFA-gated role instead`,
        r.urn,
      );
    for (const r of iam.of(IAM.accessKey))
      report(
        `${r.name} creates a long-lived access key: use roles (instance profiles, OIDC for CI) instead`,
        r.urn,
      );
    // A user's password for one service (CodeCommit, Keyspaces, Bedrock): long-lived like a key.
    // AWS: "Service-specific credentials for IAM users",
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_service-specific-creds.html
    for (const r of iam.of(IAM.serviceCredential))
      report(
        `${r.name} creates a long-lived service-specific credential for an IAM user: use roles and temporary credentials instead`,
        r.urn,
      );
    for (const r of iam.of(IAM.loginProfile))
      report(
        `${r.name} gives an IAM user a console password: remove it and sign people in through IAM Identity Center or another federation`,
        r.urn,
      );
    for (const r of iam.of(IAM.policyAttachment))
      if (strings(r.props.users).length)
        report(`${r.name} attaches a policy to IAM users: attach it to roles only`, r.urn);

    // Groups that grant something, by any of the names they are referred to by.
    const granting = new Set<string>();
    const add = (g: unknown) => {
      const group = iam.find(IAM.group, g);
      for (const k of [g, group?.props.name, group?.props.id, group?.props.arn])
        if (typeof k === "string" && k) granting.add(k);
    };
    for (const r of iam.of(IAM.groupPolicy)) add(r.props.group);
    for (const r of iam.of(IAM.groupAttachment)) add(r.props.group);
    for (const r of iam.of(IAM.groupAttachmentsExclusive)) add(r.props.groupName);
    for (const r of iam.of(IAM.policyAttachment)) strings(r.props.groups).forEach(add);
    for (const m of iam.of(IAM.groupMembership)) {
      if (granting.has(String(m.props.group)) && strings(m.props.users).length)
        report(
          `${m.name} puts IAM users in the group ${String(m.props.group)}, which grants access: grant people access through MFA-gated roles instead`,
          m.urn,
        );
    }
    for (const m of iam.of(IAM.userGroupMembership)) {
      const hit = strings(m.props.groups).filter((g) => granting.has(g));
      if (hit.length)
        report(
          `${m.name} puts the IAM user ${String(m.props.user)} in ${hit.join(", ")}, which grants access: grant people access through MFA-gated roles instead`,
          m.urn,
        );
    }
  },
);

/** A cross-account vendor trust: the account pinned and sts:ExternalId required. */
function isVendorTrust(s: PolicyStatement): boolean {
  return pinned(s, ["sts:ExternalId"]);
}

/** An IAM role's ARN (any account, wildcards allowed): never a person's identity. */
const ROLE_ARN = /^arn:[^:]*:(iam|sts)::[^:]*:(role|assumed-role)\/./;

/**
 * Principals that are people or could be: account roots and users, not roles or services. An
 * account trusted only for principals whose ARN (aws:PrincipalArn, positive operator) is a role,
 * whatever account the pattern names, is a role-to-role trust.
 */
function humanPrincipals(s: PolicyStatement): string[] {
  if (confined(s, "aws:PrincipalArn", (arn) => ROLE_ARN.test(arn))) return [];
  return principalsOf(s).aws.filter((p) => !/:role\/|:assumed-role\//.test(p));
}

/** Roles people assume demand MFA. */
export const iamRoleEnforceMfa = resourcePolicy(
  {
    name: "iam-role-enforce-mfa",
    description:
      'Roles assumable by accounts or IAM users require MFA in their trust policy (Bool aws:MultiFactorAuthPresent "true", or a bound on aws:MultiFactorAuthAge; BoolIfExists passes access keys); role-to-role, service, federated trusts and cross-account vendor roles pinned by sts:ExternalId are machine principals and exempt.',
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: ["164.312(d)", "164.312(a)(1)"],
    remediationSteps:
      'Add Condition { Bool: { "aws:MultiFactorAuthPresent": "true" } } to each statement that trusts accounts or users.',
    levelReason: "A password alone is not person-or-entity authentication adequate for PHI access.",
  },
  {
    [IAM.role]: (r, report) => {
      statements(r.props.assumeRolePolicy).forEach((s, i) => {
        if (s.Effect !== "Allow") return;
        const people = humanPrincipals(s);
        if (!people.length || requiresMfa(s) || isVendorTrust(s)) return;
        report(
          `${r.name} can be assumed by ${people.join(", ")} without MFA (statement ${s.Sid ?? i}): add Bool aws:MultiFactorAuthPresent "true" to the trust policy's Condition (BoolIfExists lets access keys through)`,
        );
      });
    },
  },
);

const GITHUB = "token.actions.githubusercontent.com";

/** The host of an OIDC provider named in a Federated principal. */
function oidcHost(principal: string): string | undefined {
  const m = /oidc-provider\/(.+)$/.exec(principal);
  if (m) return m[1];
  if (/^arn:/.test(principal) || /saml-provider\//.test(principal)) return undefined;
  return principal.includes(".") ? principal : undefined;
}

/** The sub values that name one GitHub repository (`repo:owner/name:...`), wildcards only after it. */
function repositoryScoped(s: PolicyStatement): boolean {
  const key = `${GITHUB}:sub`;
  return Object.entries(s.Condition ?? {}).some(
    ([op, block]) =>
      /^(StringEquals|StringLike)$/.test(op) &&
      Object.entries(obj(block) ?? {}).some(([k, v]) => {
        const values = strings(v);
        return (
          k.toLowerCase() === key &&
          values.length > 0 &&
          values.every((x) => /^repo:[^*?/:]+\/[^*?/:]+(:|$)/.test(x))
        );
      }),
  );
}

/** Who may assume a role: never anyone, never any token of an identity provider. */
export const iamRoleEnforceTrustConditions = resourcePolicy(
  {
    name: "iam-role-enforce-trust-conditions",
    description:
      'Role trust policies name no wildcard principal ("*", AWS "*", NotPrincipal) unless a condition pins the account, organization or principal with non-empty, non-wildcard values; web identity (OIDC) trusts pin the audience (<provider>:aud), and GitHub Actions trusts also pin the subject to one repository (repo:owner/name:...).',
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: [...ACCESS, "164.312(d)"],
    remediationSteps:
      'Name the principals; for GitHub Actions add StringEquals "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" and StringLike "token.actions.githubusercontent.com:sub": "repo:<owner>/<repo>:ref:refs/heads/main".',
    levelReason:
      "A role anyone can assume, or any GitHub workflow in the world can assume, hands its permissions to strangers.",
  },
  {
    [IAM.role]: (r, report) => {
      statements(r.props.assumeRolePolicy).forEach((s, i) => {
        if (s.Effect !== "Allow") return;
        const p = principalsOf(s);
        const at = `statement ${s.Sid ?? i}`;
        if (p.wildcard && !pinned(s, PINNING_KEYS))
          report(
            `${r.name} can be assumed by anyone (${at}): name the principals, or pin aws:PrincipalAccount, aws:PrincipalOrgID or aws:PrincipalArn with StringEquals and real values`,
          );
        for (const f of p.federated) {
          const host = oidcHost(f);
          if (!host) continue;
          if (!pinned(s, [`${host}:aud`]))
            report(
              `${r.name} trusts any token of ${host} (${at}): add StringEquals "${host}:aud" with your client id (GitHub: "sts.amazonaws.com")`,
            );
          if (host === GITHUB && !repositoryScoped(s))
            report(
              `${r.name} trusts GitHub Actions workflows of any repository (${at}): add StringLike "${GITHUB}:sub": "repo:<owner>/<repo>:<ref or environment>"`,
            );
        }
      });
    },
  },
);

/** Resource types with a policy document, and the property that holds it. */
export const RESOURCE_POLICIES: Readonly<Record<string, string>> = {
  "aws:kms/key:Key": "policy",
  "aws:kms/keyPolicy:KeyPolicy": "policy",
  "aws:s3/bucket:Bucket": "policy",
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
  "aws:s3/accessPointPolicy:AccessPointPolicy": "policy",
  "aws:sns/topic:Topic": "policy",
  "aws:sns/topicPolicy:TopicPolicy": "policy",
  "aws:sqs/queue:Queue": "policy",
  "aws:sqs/queuePolicy:QueuePolicy": "policy",
  "aws:secretsmanager/secret:Secret": "policy",
  "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
  "aws:efs/fileSystemPolicy:FileSystemPolicy": "policy",
  "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
  "aws:ecr/registryPolicy:RegistryPolicy": "policy",
  "aws:backup/vaultPolicy:VaultPolicy": "policy",
  "aws:opensearch/domainPolicy:DomainPolicy": "accessPolicies",
  "aws:opensearch/domain:Domain": "accessPolicies",
  "aws:elasticsearch/domainPolicy:DomainPolicy": "accessPolicies",
  "aws:elasticsearch/domain:Domain": "accessPolicies",
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyDocument",
  "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy": "accessPolicy",
  "aws:glacier/vault:Vault": "accessPolicy",
  "aws:glacier/vaultLock:VaultLock": "policy",
  "aws:dynamodb/resourcePolicy:ResourcePolicy": "policy",
  "aws:kinesis/resourcePolicy:ResourcePolicy": "policy",
  "aws:redshiftserverless/resourcePolicy:ResourcePolicy": "policy",
  "aws:apigateway/restApiPolicy:RestApiPolicy": "policy",
  "aws:lambda/layerVersionPermission:LayerVersionPermission": "principal",
};

/** Lambda permissions' principal, for service principals: the calling resource must be named. */
const SERVICE_PRINCIPAL = /\.amazonaws\.com$/;

export const iamResourcePolicyDisallowWildcardPrincipal = resourcePolicy(
  {
    name: "iam-resourcepolicy-disallow-wildcard-principal",
    description:
      'Resource policies of every type that has one (S3 buckets and access points, SQS, SNS, KMS keys and KeyPolicy, Secrets Manager secrets and SecretPolicy, ECR repositories and registry, Lambda permissions and layers, backup vaults, OpenSearch, EFS, CloudWatch Logs, Glacier, DynamoDB, Kinesis) allow no wildcard principal ("*", AWS "*", NotPrincipal) unless a condition really pins principals or sources (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID, aws:PrincipalArn, aws:SourceVpce, ... with non-empty, non-wildcard values); Lambda permissions for service principals name the source (sourceArn or sourceAccount); function URLs require IAM auth.',
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: [...ACCESS],
    remediationSteps:
      'Replace Principal "*" with the principals that need access, or add an aws:SourceAccount / aws:SourceArn / aws:PrincipalOrgID / aws:SourceVpce condition with StringEquals and real values.',
    levelReason:
      "A wildcard principal on a resource policy is a public grant to every AWS account in the world.",
  },
  {
    ...Object.fromEntries(
      Object.entries(RESOURCE_POLICIES)
        .filter(([, p]) => p !== "principal")
        .map(([t, property]) => [
          t,
          (r: { name: string; props: Record<string, unknown> }, report: (m: string) => void) => {
            // A domain inside a VPC is reached only through its security groups: AWS documents
            // an open access policy for it ("Launching your Amazon OpenSearch Service domains
            // within a VPC", https://docs.aws.amazon.com/opensearch-service/latest/developerguide/vpc.html).
            if (
              /opensearch|elasticsearch/.test(t) &&
              strings(obj(r.props.vpcOptions)?.subnetIds).length
            )
              return;
            statements(r.props[property]).forEach((s, i) => {
              if (
                s.Effect === "Allow" &&
                principalsOf(s).wildcard &&
                !pinned(s, PINNING_KEYS) &&
                !pinnedToAddresses(s)
              ) {
                report(
                  `${r.name} lets anyone (Principal "*") ${strings(s.Action ?? s.NotAction).join(", ") || "act"} in statement ${s.Sid ?? i}: name the principals, or pin aws:SourceAccount, aws:SourceArn, aws:PrincipalOrgID or aws:SourceVpce with real values`,
                );
              }
            });
          },
        ]),
    ),
    "aws:lambda/permission:Permission": (r, report) => {
      const principal = String(r.props.principal ?? "");
      const named = ["sourceArn", "sourceAccount", "principalOrgId"].some(
        (k) =>
          typeof r.props[k] === "string" &&
          (r.props[k] as string).trim() !== "" &&
          !/^[*?]+$/.test(r.props[k] as string),
      );
      if ((principal === "*" || SERVICE_PRINCIPAL.test(principal)) && !named) {
        report(
          `${r.name} lets ${principal === "*" ? "anyone" : `any ${principal} resource, in any account,`} invoke the function: set sourceArn (or sourceAccount) to the calling resource`,
        );
      }
      if (r.props.functionUrlAuthType === "NONE")
        report(
          `${r.name} opens the function URL to unauthenticated callers: set functionUrlAuthType to "AWS_IAM"`,
        );
    },
    "aws:lambda/layerVersionPermission:LayerVersionPermission": (r, report) => {
      if (
        r.props.principal === "*" &&
        !(typeof r.props.organizationId === "string" && r.props.organizationId)
      )
        report(
          `${r.name} shares the layer with every account: set principal to an account or organizationId`,
        );
    },
    "aws:lambda/functionUrl:FunctionUrl": (r, report) => {
      if (r.props.authorizationType === "NONE")
        report(`${r.name} is a public, unauthenticated URL: set authorizationType to "AWS_IAM"`);
    },
  },
);
