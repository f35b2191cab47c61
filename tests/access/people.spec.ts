/**
 * What the IT support personas and the research enclaves' people may do, simulated against the
 * roles, boundaries, trust policies and bucket policies the research example records (ireland with
 * an open and a closed enclave). Each persona's intended and forbidden actions; break-glass with and
 * without MFA; researchers' workstation inside and outside the enclave's endpoint; the stewards'
 * close-out.
 *
 * Not modelled: AWS managed policies other than AdministratorAccess (the workstation's
 * AmazonSSMManagedInstanceCore grants no S3 or KMS, so its rows do not depend on it); Session
 * Manager's own session checks; tag values of live instances (given here as request context).
 */
import { ACCOUNT, ADMIN, Recorded, researchStack, table } from "./recorded";

const EU = "eu-west-1";
const TLS = { "aws:SecureTransport": "true" };
const ENCLAVE = "ehealth-ireland-research-cardio01";
const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const session = (s: Recorded, role: string, extra: Record<string, string> = {}) => {
  const r = s.role(role);
  return {
    principal: r.arn,
    identity: r.identity,
    ...(r.boundary ? { boundary: r.boundary } : {}),
    context: {
      ...TLS,
      "aws:PrincipalArn": r.arn,
      "aws:PrincipalAccount": ACCOUNT,
      "aws:MultiFactorAuthPresent": "true",
      ...extra,
    },
  };
};
/** Assuming a persona role from an IAM user, as the role's trust policy judges it. */
const assume = (s: Recorded, role: string, from: string, mfa: boolean) => ({
  principal: from,
  action: "sts:AssumeRole",
  resource: s.role(role).arn,
  identity: [ADMIN],
  resourcePolicy: s.role(role).trust,
  context: {
    "aws:PrincipalArn": from,
    "aws:MultiFactorAuthPresent": mfa ? "true" : "false",
    ...(mfa ? { "aws:MultiFactorAuthAge": "300" } : {}),
  },
});
const appInstance = `arn:aws:ec2:${EU}:${ACCOUNT}:instance/i-0123456789abcdef0`;

table(
  "access: IT support personas (ireland, research example)",
  async () => new Recorded(await researchStack()),
  [
    {
      says: "support disables a portal user",
      expect: "Allowed",
      request: (s) => ({
        ...session(s, "ehealth-ireland-support"),
        action: "cognito-idp:AdminDisableUser",
        resource: `arn:aws:cognito-idp:${EU}:${ACCOUNT}:userpool/${EU}_abc`,
      }),
    },
    {
      says: "support reads a patient document",
      expect: "Denied",
      request: (s) => ({
        ...session(s, "ehealth-ireland-support"),
        action: "s3:GetObject",
        resource: `${s.bucket("ehealth-ireland-uploads").arn}/patient/1.pdf`,
        resourcePolicy: s.bucket("ehealth-ireland-uploads").policy,
      }),
    },
    {
      says: "support reads the application's logs",
      expect: "Allowed",
      request: (s) => ({
        ...session(s, "ehealth-ireland-support"),
        action: "logs:FilterLogEvents",
        resource: `arn:aws:logs:${EU}:${ACCOUNT}:log-group:/ehealth/ehealth-ireland/app`,
      }),
    },
    {
      says: "the DBA reboots the database",
      expect: "Allowed",
      request: (s) => ({
        ...session(s, "ehealth-ireland-dba"),
        action: "rds:RebootDBInstance",
        resource: `arn:aws:rds:${EU}:${ACCOUNT}:db:ehealth-ireland-db`,
      }),
    },
    {
      says: "the DBA decrypts with the PHI key outside RDS (boundary)",
      expect: "Denied",
      request: (s) => ({
        ...session(s, "ehealth-ireland-dba", {
          "kms:ViaService": `s3.${EU}.amazonaws.com`,
          "kms:CallerAccount": ACCOUNT,
        }),
        identity: [ADMIN],
        action: "kms:Decrypt",
        resource: s.keyArn("ehealth-ireland-phi"),
        resourcePolicy: s.keyPolicy("ehealth-ireland-phi"),
      }),
    },
    {
      says: "the DBA creates an IAM user (boundary, whatever its policy says)",
      expect: "Denied",
      request: (s) => ({
        ...session(s, "ehealth-ireland-dba"),
        identity: [ADMIN],
        action: "iam:CreateUser",
        resource: `arn:aws:iam::${ACCOUNT}:user/new`,
      }),
    },
    {
      says: "the sysadmin stops an app-tier instance",
      expect: "Allowed",
      request: (s) => ({
        ...session(s, "ehealth-ireland-sysadmin", { "aws:ResourceTag/Tier": "app" }),
        action: "ec2:StopInstances",
        resource: appInstance,
      }),
    },
    {
      says: "the sysadmin stops a research workstation",
      expect: "Denied",
      request: (s) => ({
        ...session(s, "ehealth-ireland-sysadmin", { "aws:ResourceTag/Tier": "research" }),
        action: "ec2:StopInstances",
        resource: appInstance,
      }),
    },
    {
      says: "the sysadmin stops the trail (boundary)",
      expect: "Denied",
      request: (s) => ({
        ...session(s, "ehealth-ireland-sysadmin"),
        identity: [ADMIN],
        action: "cloudtrail:StopLogging",
        resource: `arn:aws:cloudtrail:${EU}:${ACCOUNT}:trail/t`,
      }),
    },
    {
      says: "break-glass reads a patient document",
      expect: "Allowed",
      request: (s) => ({
        ...session(s, "ehealth-ireland-break-glass"),
        action: "s3:GetObject",
        resource: `${s.bucket("ehealth-ireland-uploads").arn}/patient/1.pdf`,
        resourcePolicy: s.bucket("ehealth-ireland-uploads").policy,
      }),
    },
    {
      says: "break-glass deletes the trail (boundary)",
      expect: "Denied",
      request: (s) => ({
        ...session(s, "ehealth-ireland-break-glass"),
        action: "cloudtrail:DeleteTrail",
        resource: `arn:aws:cloudtrail:${EU}:${ACCOUNT}:trail/t`,
      }),
    },
    {
      says: "the named on-call user assumes break-glass with MFA",
      expect: "Allowed",
      request: (s) => assume(s, "ehealth-ireland-break-glass", user("break-glass"), true),
    },
    {
      says: "the named on-call user assumes break-glass without MFA",
      expect: "Denied",
      request: (s) => assume(s, "ehealth-ireland-break-glass", user("break-glass"), false),
    },
    {
      says: "the named on-call user assumes break-glass with an MFA sign-in older than the one-hour session",
      expect: "Denied",
      request: (s) => {
        const request = assume(s, "ehealth-ireland-break-glass", user("break-glass"), true);
        return { ...request, context: { ...request.context, "aws:MultiFactorAuthAge": "7200" } };
      },
    },
    {
      says: "the DBA connects to the database as dba with IAM authentication",
      expect: "Allowed",
      request: (s) => ({
        ...session(s, "ehealth-ireland-dba"),
        action: "rds-db:connect",
        resource: `arn:aws:rds-db:${EU}:${ACCOUNT}:dbuser:db-ABCDEFGHIJKL/dba`,
      }),
    },
    {
      says: "the DBA reads a patient document",
      expect: "Denied",
      request: (s) => ({
        ...session(s, "ehealth-ireland-dba"),
        identity: [ADMIN],
        action: "s3:GetObject",
        resource: `${s.bucket("ehealth-ireland-uploads").arn}/patient/1.pdf`,
        resourcePolicy: s.bucket("ehealth-ireland-uploads").policy,
      }),
    },
    {
      says: "support deletes the user pool",
      expect: "Denied",
      request: (s) => ({
        ...session(s, "ehealth-ireland-support"),
        action: "cognito-idp:DeleteUserPool",
        resource: `arn:aws:cognito-idp:${EU}:${ACCOUNT}:userpool/${EU}_abc`,
      }),
    },
    {
      says: "support reads the database's logs",
      expect: "Denied",
      request: (s) => ({
        ...session(s, "ehealth-ireland-support"),
        action: "logs:FilterLogEvents",
        resource: `arn:aws:logs:${EU}:${ACCOUNT}:log-group:/aws/rds/instance/ehealth-ireland-db/postgresql`,
      }),
    },
    {
      says: "support connects to the database",
      expect: "Denied",
      request: (s) => ({
        ...session(s, "ehealth-ireland-support"),
        action: "rds-db:connect",
        resource: `arn:aws:rds-db:${EU}:${ACCOUNT}:dbuser:db-ABCDEFGHIJKL/dba`,
      }),
    },
    {
      says: "a user not named for support assumes it with MFA",
      expect: "Denied",
      request: (s) => assume(s, "ehealth-ireland-support", user("someone-else"), true),
    },
  ],
);

/** The example's ehealth:deployerArn: the principal Pulumi runs as. */
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/pulumi-deploy`;
const dataIn = (s: Recorded) => s.bucket(`${ENCLAVE}-data-in`);
const output = (s: Recorded) => s.bucket(`${ENCLAVE}-output`);
const viaEndpoint = (s: Recorded) => ({ "aws:SourceVpce": s.endpointId(`${ENCLAVE}-s3`) });
/**
 * Writers name the enclave key: the bucket policy also denies a PutObject without encryption
 * headers (StringNotEqualsIfExists is true when the key is absent), so uploads must send them.
 */
const sseKms = (s: Recorded) => ({
  "s3:x-amz-server-side-encryption": "aws:kms",
  "s3:x-amz-server-side-encryption-aws-kms-key-id": s.keyArn(ENCLAVE),
});

table(
  "access: research enclave cardio01 (ireland, research example)",
  async () => new Recorded(await researchStack()),
  [
    {
      says: "the workstation reads an accepted upload through the enclave's endpoint",
      expect: "Allowed",
      request: (s) => ({
        ...session(s, `${ENCLAVE}-workstation`, viaEndpoint(s)),
        action: "s3:GetObject",
        resource: `${dataIn(s).arn}/incoming/study.csv`,
        resourcePolicy: dataIn(s).policy,
      }),
    },
    {
      says: "the same role from outside the endpoint",
      expect: "Denied",
      request: (s) => ({
        ...session(s, `${ENCLAVE}-workstation`),
        action: "s3:GetObject",
        resource: `${dataIn(s).arn}/incoming/study.csv`,
        resourcePolicy: dataIn(s).policy,
      }),
    },
    {
      says: "the workstation writes results to output through the endpoint",
      expect: "Allowed",
      request: (s) => ({
        ...session(s, `${ENCLAVE}-workstation`, { ...viaEndpoint(s), ...sseKms(s) }),
        action: "s3:PutObject",
        resource: `${output(s).arn}/results.csv`,
        resourcePolicy: output(s).policy,
      }),
    },
    {
      says: "the workstation reads quarantined uploads",
      expect: "Denied",
      request: (s) => ({
        ...session(s, `${ENCLAVE}-workstation`, viaEndpoint(s)),
        action: "s3:GetObject",
        resource: `${dataIn(s).arn}/quarantine/jane-doe.csv`,
        resourcePolicy: dataIn(s).policy,
      }),
    },
    {
      says: "an account administrator reads enclave data from outside the endpoint",
      expect: "Denied",
      request: (s) => ({
        principal: `arn:aws:iam::${ACCOUNT}:role/admin`,
        identity: [ADMIN],
        context: {
          ...TLS,
          "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/admin`,
          "aws:MultiFactorAuthPresent": "true",
        },
        action: "s3:GetObject",
        resource: `${output(s).arn}/results.csv`,
        resourcePolicy: output(s).policy,
      }),
    },
    {
      says: "a steward collects output with MFA from outside the enclave",
      expect: "Allowed",
      request: (s) => ({
        ...session(s, `${ENCLAVE}-steward`),
        action: "s3:GetObject",
        resource: `${output(s).arn}/results.csv`,
        resourcePolicy: output(s).policy,
      }),
    },
    {
      says: "a steward without MFA",
      expect: "Denied",
      request: (s) => ({
        ...session(s, `${ENCLAVE}-steward`, { "aws:MultiFactorAuthPresent": "false" }),
        action: "s3:GetObject",
        resource: `${output(s).arn}/results.csv`,
        resourcePolicy: output(s).policy,
      }),
    },
    {
      says: "a steward uploads into incoming/",
      expect: "Allowed",
      request: (s) => ({
        ...session(s, `${ENCLAVE}-steward`, { ...sseKms(s) }),
        action: "s3:PutObject",
        resource: `${dataIn(s).arn}/incoming/batch-1.csv`,
        resourcePolicy: dataIn(s).policy,
      }),
    },
    {
      says: "a steward deletes data-in objects at close-out",
      expect: "Allowed",
      request: (s) => ({
        ...session(s, `${ENCLAVE}-steward`),
        action: "s3:DeleteObject",
        resource: `${dataIn(s).arn}/incoming/batch-1.csv`,
        resourcePolicy: dataIn(s).policy,
      }),
    },
    {
      says: "a steward destroys object versions at close-out",
      expect: "Allowed",
      request: (s) => ({
        ...session(s, `${ENCLAVE}-steward`),
        action: "s3:DeleteObjectVersion",
        resource: `${dataIn(s).arn}/incoming/batch-1.csv`,
        resourcePolicy: dataIn(s).policy,
      }),
    },
    {
      says: "the deploying principal (ehealth:deployerArn) lists an enclave bucket (HeadBucket)",
      expect: "Allowed",
      request: (s) => ({
        principal: DEPLOYER,
        identity: [ADMIN],
        context: { ...TLS, "aws:PrincipalArn": DEPLOYER },
        action: "s3:ListBucket",
        resource: dataIn(s).arn,
        resourcePolicy: dataIn(s).policy,
      }),
    },
    {
      says: "a steward writes into output",
      expect: "Denied",
      request: (s) => ({
        ...session(s, `${ENCLAVE}-steward`),
        action: "s3:PutObject",
        resource: `${output(s).arn}/forged.csv`,
        resourcePolicy: output(s).policy,
      }),
    },
    {
      says: "the upload function quarantines a file through the endpoint",
      expect: "Allowed",
      request: (s) => ({
        ...session(s, `${ENCLAVE}-upload`, { ...viaEndpoint(s), ...sseKms(s) }),
        action: "s3:PutObject",
        resource: `${dataIn(s).arn}/quarantine/jane-doe.csv`,
        resourcePolicy: dataIn(s).policy,
      }),
    },
    {
      says: "the upload function writes into output",
      expect: "Denied",
      request: (s) => ({
        ...session(s, `${ENCLAVE}-upload`, viaEndpoint(s)),
        action: "s3:PutObject",
        resource: `${output(s).arn}/x.csv`,
        resourcePolicy: output(s).policy,
      }),
    },
    {
      says: "the deploying principal reads enclave objects",
      expect: "Denied",
      request: (s) => ({
        principal: DEPLOYER,
        identity: [ADMIN],
        context: { ...TLS, "aws:PrincipalArn": DEPLOYER },
        action: "s3:GetObject",
        resource: `${dataIn(s).arn}/incoming/study.csv`,
        resourcePolicy: dataIn(s).policy,
      }),
    },
    {
      says: "the researcher opens a session on the workstation through the logged document",
      expect: "Allowed",
      request: (s) => ({
        ...session(s, `${ENCLAVE}-researcher`, { "ssm:SessionDocumentAccessCheck": "true" }),
        action: "ssm:StartSession",
        resource: s.arn("aws:ec2/instance:Instance", `${ENCLAVE}-workstation`),
      }),
    },
    {
      says: "the researcher opens a session on an app-tier instance",
      expect: "Denied",
      request: (s) => ({
        ...session(s, `${ENCLAVE}-researcher`, { "ssm:SessionDocumentAccessCheck": "true" }),
        action: "ssm:StartSession",
        resource: appInstance,
      }),
    },
    {
      says: "AWS Backup uses the enclave key for the enclave's vault",
      expect: "Allowed",
      request: (s) => ({
        principal: `arn:aws:iam::${ACCOUNT}:role/any`,
        identity: [ADMIN],
        context: { "kms:ViaService": `backup.${EU}.amazonaws.com`, "kms:CallerAccount": ACCOUNT },
        action: "kms:GenerateDataKey",
        resource: s.keyArn(ENCLAVE),
        resourcePolicy: s.keyPolicy(ENCLAVE),
      }),
    },
    {
      says: "S3 uses the enclave key for the account",
      expect: "Allowed",
      request: (s) => ({
        principal: `arn:aws:iam::${ACCOUNT}:role/any`,
        identity: [ADMIN],
        context: { "kms:ViaService": `s3.${EU}.amazonaws.com`, "kms:CallerAccount": ACCOUNT },
        action: "kms:Decrypt",
        resource: s.keyArn(ENCLAVE),
        resourcePolicy: s.keyPolicy(ENCLAVE),
      }),
    },
  ],
);
