/**
 * What the application tier may reach, and who writes its load balancer's logs, simulated against
 * what each stack records: the app role's inline policy (with the buckets' and the PHI key's own
 * policies where AWS evaluates them too) and the ALB log bucket's policy.
 *
 * Not modelled: the app role's AWS managed policies (AmazonSSMManagedInstanceCore,
 * CloudWatchAgentServerPolicy) are not recorded by the program, so the rows judge its inline policy
 * alone: the Allowed rows need nothing from them, and a Denied row would turn if one of them granted
 * that action, which these tests cannot see. The Auto Scaling grant on the PHI key is a KMS grant,
 * which the simulator does not evaluate (the preflight's kms-ebs-autoscaling rule judges it).
 */
import { expect } from "chai";
import { ELB_ACCOUNTS } from "../../tools/engine/invokes";
import { ACCOUNT, ADMIN, Recorded, stack, table, type RowSpec } from "../access/recorded";

const STACKS = [
  { name: "ireland", region: "eu-west-1" },
  { name: "oregon", region: "us-west-2" },
] as const;
const FOREIGN = "999988887777";
const TLS = { "aws:SecureTransport": "true" };
/** The patient document buckets (a test below checks the stacks record no other PHI bucket). */
const DOCUMENTS = ["uploads", "images", "results"] as const;

for (const { name, region } of STACKS) {
  const source = async () => new Recorded(await stack(name));
  const app = (s: Recorded, context: Record<string, string> = {}) =>
    s.as(`ehealth-${name}-app`, { ...TLS, ...context });
  const document = (s: Recorded, bucket: string, action: string, key = "patients/1.pdf") => ({
    ...app(s),
    action,
    resource: `${s.bucket(`ehealth-${name}-${bucket}`).arn}/${key}`,
    resourcePolicy: s.bucket(`ehealth-${name}-${bucket}`).policy,
  });
  const db = (s: Recorded) =>
    String(s.one("aws:rds/instance:Instance", `ehealth-${name}-db`).outputs.resourceId);
  const phi = (s: Recorded, context: Record<string, string>) => ({
    ...app(s, { "kms:CallerAccount": ACCOUNT, ...context }),
    action: "kms:Decrypt",
    resource: s.keyArn(`ehealth-${name}-phi`),
    resourcePolicy: s.keyPolicy(`ehealth-${name}-phi`),
  });
  const files = (s: Recorded) =>
    String(s.one("aws:efs/fileSystem:FileSystem", `ehealth-${name}-files`).outputs.arn);
  const accessPoint = (s: Recorded) =>
    String(s.one("aws:efs/accessPoint:AccessPoint", `ehealth-${name}-files`).outputs.arn);
  const index = (s: Recorded) => s.arn("aws:dynamodb/table:Table", `ehealth-${name}-upload-index`);

  /** Oregon also holds ireland's replicas, which its app reads when it serves after a failover. */
  const documents =
    name === "oregon" ? [...DOCUMENTS, ...DOCUMENTS.map((d) => `replica-${d}`)] : DOCUMENTS;

  it(`reads, in the table below, every PHI bucket ${name} records`, async () => {
    const { resources } = await stack(name);
    const phi = resources.filter(
      (r) =>
        r.type === "aws:s3/bucket:Bucket" &&
        (r.inputs.tags as Record<string, string> | undefined)?.DataClassification === "PHI",
    );
    expect(phi.map((b) => b.name)).to.have.members(documents.map((d) => `ehealth-${name}-${d}`));
  });

  table(`ehealth:compute:Compute: what the app instances reach (${name}, as recorded)`, source, [
    ...documents.map((bucket): RowSpec<Recorded> => ({
      says: `the app reads a document in ${bucket}`,
      expect: "Allowed",
      request: (s) => document(s, bucket, "s3:GetObject"),
    })),
    {
      says: "the app deletes a document",
      expect: "Denied",
      request: (s) => document(s, "uploads", "s3:DeleteObject"),
    },
    {
      says: "the app reads the log archive",
      expect: "Denied",
      request: (s) => document(s, "archive", "s3:GetObject", "cloudtrail/x.json.gz"),
    },
    {
      says: "the app connects to the database as its own user with IAM authentication",
      expect: "Allowed",
      request: (s) => ({
        ...app(s),
        action: "rds-db:connect",
        resource: `arn:aws:rds-db:${region}:${ACCOUNT}:dbuser:${db(s)}/app`,
      }),
    },
    {
      says: "the app connects to the database as the master user",
      expect: "Denied",
      request: (s) => ({
        ...app(s),
        action: "rds-db:connect",
        resource: `arn:aws:rds-db:${region}:${ACCOUNT}:dbuser:${db(s)}/postgres`,
      }),
    },
    {
      says: "the app reads the database's managed master secret",
      expect: "Denied",
      request: (s) => ({
        ...app(s),
        action: "secretsmanager:GetSecretValue",
        resource: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:rds!${db(s)}-AbCdEf`,
      }),
    },
    {
      says: "the app decrypts a document's data key with the PHI key through S3",
      expect: "Allowed",
      request: (s) => phi(s, { "kms:ViaService": `s3.${region}.amazonaws.com` }),
    },
    {
      says: "the app decrypts with the PHI key directly",
      expect: "Denied",
      request: (s) => phi(s, {}),
    },
    {
      says: "the app decrypts with the PHI key through RDS",
      expect: "Denied",
      request: (s) => phi(s, { "kms:ViaService": `rds.${region}.amazonaws.com` }),
    },
    {
      says: "the app mounts the shared file system through its access point",
      expect: "Allowed",
      request: (s) => ({
        ...app(s, { "elasticfilesystem:AccessPointArn": accessPoint(s) }),
        action: "elasticfilesystem:ClientMount",
        resource: files(s),
      }),
    },
    {
      says: "the app mounts the shared file system without the access point",
      expect: "Denied",
      request: (s) => ({
        ...app(s),
        action: "elasticfilesystem:ClientMount",
        resource: files(s),
      }),
    },
    {
      says: "the app mounts the shared file system as root",
      expect: "Denied",
      request: (s) => ({
        ...app(s, { "elasticfilesystem:AccessPointArn": accessPoint(s) }),
        action: "elasticfilesystem:ClientRootAccess",
        resource: files(s),
      }),
    },
    {
      says: "the app indexes an upload",
      expect: "Allowed",
      request: (s) => ({ ...app(s), action: "dynamodb:PutItem", resource: index(s) }),
    },
    {
      says: "the app deletes the upload index",
      expect: "Denied",
      request: (s) => ({ ...app(s), action: "dynamodb:DeleteTable", resource: index(s) }),
    },
  ]);

  /**
   * Elastic Load Balancing writes as its regional account's root ("Enable access logs for your
   * Application Load Balancer"): that account's own IAM policies are its business, so an
   * `Allow *` stands in for them and the bucket policy decides.
   */
  const elb = `arn:aws:iam::${ELB_ACCOUNTS[region]}:root`;
  const logs = (s: Recorded) => s.bucket(`ehealth-${name}-alb-logs`);
  const write = (s: Recorded, principal: string, key: string, context = {}) => ({
    principal,
    ...(principal === elb ? { identity: [ADMIN] } : {}),
    context: { ...TLS, ...context },
    action: "s3:PutObject",
    resource: `${logs(s).arn}/${key}`,
    resourceAccount: ACCOUNT,
    resourcePolicy: logs(s).policy,
  });
  const mine = `alb/AWSLogs/${ACCOUNT}/elasticloadbalancing/${region}/2026/01/01/x.log.gz`;
  const DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com";

  table(`ehealth:compute:Compute: who writes the ALB's logs (${name}, as recorded)`, source, [
    {
      says: "ELB's regional account writes this account's log under the prefix",
      expect: "Allowed",
      request: (s) => write(s, elb, mine),
    },
    {
      says: "ELB's log delivery service writes this account's log under the prefix",
      expect: "Allowed",
      request: (s) => write(s, DELIVERY, mine, { "aws:SourceAccount": ACCOUNT }),
    },
    {
      says: "ELB's regional account writes under another account's prefix",
      expect: "Denied",
      request: (s) =>
        write(s, elb, `alb/AWSLogs/${FOREIGN}/elasticloadbalancing/${region}/x.log.gz`),
    },
    {
      says: "ELB's regional account writes outside the prefix",
      expect: "Denied",
      request: (s) => write(s, elb, "elsewhere/x.log.gz"),
    },
    {
      says: "ELB's log delivery service writes for another account",
      expect: "Denied",
      request: (s) => write(s, DELIVERY, mine, { "aws:SourceAccount": FOREIGN }),
    },
    {
      says: "ELB's regional account reads a log back",
      expect: "Denied",
      request: (s) => ({ ...write(s, elb, mine), action: "s3:GetObject" }),
    },
    {
      says: "ELB's regional account writes over plain HTTP",
      expect: "ExplicitlyDenied",
      request: (s) => write(s, elb, mine, { "aws:SecureTransport": "false" }),
    },
  ]);
}
