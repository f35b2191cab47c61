/** Identity: IAM users, Cognito pools and clients, role trust conditions. */
import fc from "fast-check";
import { res } from "../fixtures";
import { Family, rotated } from "./family";

export const IDENTITY: Family[] = [];
const family = (f: Family) => IDENTITY.push(f);

// ---- IAM users hold no credentials and no rights ----
const USER = "aws:iam/user:User";
const GROUP = "aws:iam/group:Group";
const READ = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const readDoc = JSON.stringify({
  Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::docs/*" }],
});
/** The ways a group can grant something, naming the group as `ref`. */
const groupGrant = (ref: string) =>
  fc.constantFrom(
    res("aws:iam/groupPolicy:GroupPolicy", "gp", { group: ref, policy: readDoc }),
    res("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "ga", {
      group: ref,
      policyArn: READ,
    }),
    res("aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive", "gx", {
      groupName: ref,
      policyArns: [READ],
    }),
    res("aws:iam/policyAttachment:PolicyAttachment", "pa", { groups: [ref], policyArn: READ }),
  );
/** Ways to name the group: its name, id or ARN. */
const groupRef = fc.constantFrom(
  "readers",
  "readers-id",
  "arn:aws:test:eu-west-1:123456789012:readers",
);
family({
  policy: "iam-user-disallow-credentials",
  name: "a user's credential or right by any mechanism: access key, console password, service-specific credential, inline or attached policy (one, exclusive, PolicyAttachment), membership of a granting group (either membership resource, group by name, id or ARN)",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(
        "key",
        "login",
        "service-credential",
        "inline",
        "attached",
        "exclusive",
        "policy-attachment",
        "group",
        "user-groups",
      ),
      groupRef,
      groupRef,
      fc.nat(),
    )
    .chain(([how, grantRef, memberRef, seed]) =>
      groupGrant(grantRef).map((grant) => {
        const user = res(USER, "alice", { name: "alice" });
        const group = res(GROUP, "readers", { name: "readers" });
        const extra = {
          key: [res("aws:iam/accessKey:AccessKey", "k", { user: "alice" })],
          login: [res("aws:iam/userLoginProfile:UserLoginProfile", "l", { user: "alice" })],
          "service-credential": [
            res("aws:iam/serviceSpecificCredential:ServiceSpecificCredential", "c", {
              serviceName: "codecommit.amazonaws.com",
              userName: "alice",
            }),
          ],
          inline: [res("aws:iam/userPolicy:UserPolicy", "p", { user: "alice", policy: readDoc })],
          attached: [
            res("aws:iam/userPolicyAttachment:UserPolicyAttachment", "a", {
              user: "alice",
              policyArn: READ,
            }),
          ],
          exclusive: [
            res("aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive", "x", {
              userName: "alice",
              policyArns: [READ],
            }),
          ],
          "policy-attachment": [
            res("aws:iam/policyAttachment:PolicyAttachment", "pa2", {
              users: ["alice"],
              policyArn: READ,
            }),
          ],
          group: [
            group,
            grant,
            res("aws:iam/groupMembership:GroupMembership", "m", {
              group: memberRef,
              users: ["alice"],
            }),
          ],
          "user-groups": [
            group,
            grant,
            res("aws:iam/userGroupMembership:UserGroupMembership", "m", {
              user: "alice",
              groups: [memberRef],
            }),
          ],
        }[how];
        return rotated([user, ...extra], seed);
      }),
    ),
});
family({
  policy: "iam-user-disallow-credentials",
  name: "users with nothing, in groups that grant nothing, beside granting groups without users",
  caught: false,
  variants: fc.tuple(groupRef, fc.nat()).chain(([ref, seed]) =>
    groupGrant(ref).map((grant) =>
      rotated(
        [
          res(USER, "alice", { name: "alice" }),
          res(GROUP, "readers", { name: "readers" }),
          grant,
          res(GROUP, "empty", { name: "empty" }),
          res("aws:iam/userGroupMembership:UserGroupMembership", "m", {
            user: "alice",
            groups: ["empty"],
          }),
          res("aws:iam/groupMembership:GroupMembership", "m2", {
            group: "empty-id",
            users: ["alice"],
          }),
        ],
        seed,
      ),
    ),
  ),
});

// ---- Cognito: MFA on, threat protection enforced, long passwords ----
const POOL = "aws:cognito/userPool:UserPool";
const factor = fc.constantFrom<Record<string, unknown>>(
  { softwareTokenMfaConfiguration: { enabled: true } },
  { smsConfiguration: { externalId: "x", snsCallerArn: "arn:aws:iam::1:role/sms" } },
  {
    softwareTokenMfaConfiguration: { enabled: true },
    emailMfaConfiguration: { message: "{####}", subject: "code" },
  },
);
const securePool = fc
  .tuple(
    factor,
    fc.integer({ min: 14, max: 99 }),
    fc.constantFrom<string | undefined>(undefined, "PLUS"),
  )
  .map(([f, length, tier]) => ({
    mfaConfiguration: "ON",
    ...f,
    userPoolAddOns: { advancedSecurityMode: "ENFORCED" },
    passwordPolicy: { minimumLength: length, requireNumbers: true },
    ...(tier ? { userPoolTier: tier } : {}),
  }));
family({
  policy: "cognito-userpool-enforce-mfa",
  name: "pools with MFA ON by any factor, threat protection ENFORCED, passwords of 14 or more",
  caught: false,
  variants: securePool.map((p) => [res(POOL, "pool", p)]),
});
family({
  policy: "cognito-userpool-enforce-mfa",
  name: "pools with MFA OFF, OPTIONAL or omitted; threat protection AUDIT, OFF or omitted; passwords under 14 or the default",
  caught: true,
  variants: fc
    .tuple(
      securePool,
      fc.oneof(
        fc
          .constantFrom<unknown>("OFF", "OPTIONAL", undefined)
          .map((m) => ({ mfaConfiguration: m })),
        fc
          .constantFrom<unknown>(
            { advancedSecurityMode: "AUDIT" },
            { advancedSecurityMode: "OFF" },
            undefined,
          )
          .map((a) => ({ userPoolAddOns: a })),
        fc.option(fc.integer({ min: 6, max: 13 }), { nil: undefined }).map((n) => ({
          passwordPolicy: n === undefined ? { requireNumbers: true } : { minimumLength: n },
        })),
      ),
    )
    .map(([pool, flaw]) => {
      const props: Record<string, unknown> = { ...pool, ...flaw };
      for (const k of Object.keys(props)) if (props[k] === undefined) delete props[k];
      return [res(POOL, "pool", props)];
    }),
});

const CLIENTS = [
  "aws:cognito/userPoolClient:UserPoolClient",
  "aws:cognito/managedUserPoolClient:ManagedUserPoolClient",
];
family({
  policy: "cognito-client-enforce-code-flow",
  name: "clients (own or managed) with the code flow and SRP, refresh or custom auth flows",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(...CLIENTS),
      fc.subarray([
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_CUSTOM_AUTH",
        "ALLOW_USER_AUTH",
      ]),
      fc.constantFrom<string[] | undefined>(["code"], undefined, ["client_credentials"]),
    )
    .map(([type, flows, oauth]) => [
      res(type, "client", {
        userPoolId: "pool-id",
        explicitAuthFlows: flows,
        ...(oauth ? { allowedOauthFlows: oauth, allowedOauthFlowsUserPoolClient: true } : {}),
      }),
    ]),
});
family({
  policy: "cognito-client-enforce-code-flow",
  name: "clients (own or managed) allowing the implicit flow beside others, or plaintext password auth (current or legacy name)",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(...CLIENTS),
      fc.oneof(
        fc.subarray(["code", "client_credentials"]).map((o) => ({
          allowedOauthFlows: [...o, "implicit"],
          allowedOauthFlowsUserPoolClient: true,
        })),
        fc
          .tuple(fc.constantFrom("ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"), fc.boolean())
          .map(([f, srp]) => ({ explicitAuthFlows: srp ? ["ALLOW_USER_SRP_AUTH", f] : [f] })),
      ),
    )
    .map(([type, props]) => [res(type, "client", { userPoolId: "pool-id", ...props })]),
});

// ---- role trust: what must pass ----
const trust = (statements: object[]) => [
  res("aws:iam/role:Role", "r", {
    assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
  }),
];
const GH = "token.actions.githubusercontent.com";
family({
  policy: "iam-role-enforce-trust-conditions",
  name: "named principals; wildcard principals pinned to an account, organization or role ARN; GitHub OIDC with aud and a repository-scoped sub; other OIDC with aud",
  caught: false,
  variants: fc.oneof(
    fc
      .constantFrom<unknown>(
        { Service: "ec2.amazonaws.com" },
        { Service: ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"] },
        { AWS: "arn:aws:iam::123456789012:role/ci" },
        { AWS: "123456789012" },
      )
      .map((p) => trust([{ Effect: "Allow", Principal: p, Action: "sts:AssumeRole" }])),
    fc
      .tuple(
        fc.constantFrom<unknown>("*", { AWS: "*" }, { AWS: ["*"] }),
        fc.constantFrom<object>(
          { StringEquals: { "aws:PrincipalAccount": "123456789012" } },
          { StringEquals: { "aws:PrincipalOrgID": "o-abc123def4" } },
          { StringEquals: { "aws:PrincipalAccount": ["123456789012", "210987654321"] } },
          { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/deployer" } },
        ),
      )
      .map(([p, c]) =>
        trust([{ Effect: "Allow", Principal: p, Action: "sts:AssumeRole", Condition: c }]),
      ),
    fc
      .tuple(
        fc.constantFrom("StringEquals", "StringLike"),
        fc.constantFrom(
          "repo:acme/ehealth:ref:refs/heads/main",
          "repo:acme/ehealth:environment:prod",
          "repo:acme/ehealth:*",
          "repo:acme/ehealth:pull_request",
        ),
      )
      .map(([op, sub]) =>
        trust([
          {
            Effect: "Allow",
            Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${GH}` },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: { [`${GH}:aud`]: "sts.amazonaws.com" },
              ...(op === "StringLike"
                ? { StringLike: { [`${GH}:sub`]: sub } }
                : { StringEquals: { [`${GH}:aud`]: "sts.amazonaws.com", [`${GH}:sub`]: sub } }),
            },
          },
        ]),
      ),
    fc.constant(
      trust([
        {
          Effect: "Allow",
          Principal: {
            Federated:
              "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
          },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com" },
          },
        },
      ]),
    ),
  ),
});
