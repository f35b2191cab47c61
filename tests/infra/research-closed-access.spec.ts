/**
 * Closed research enclaves and the enclave's endpoint in another partition, simulated: the research
 * example's closed study onco07 (its stewards' close-out, its sealed buckets), a study closed with
 * no stewards (the component built in-process), and the S3 endpoint policy for AWS GovCloud (US).
 *
 * Not modelled: the backup role's AWS managed policies (an `Allow *` identity stands in for them).
 */
import { expect } from "chai";
import { Enclave, s3EndpointPolicy } from "../../infra/research";
import type { PolicyDoc } from "../../tools/preflight/iam/simulate";
import { build } from "../helpers";
import { ACCOUNT, Recorded, table, type RowSpec } from "../access/recorded";
import {
  EU,
  E,
  CLOSED,
  DEPLOYER,
  ADMIN_ROLE,
  example,
  dataIn,
  output,
  as,
  admin,
  object,
  AWS_ACCOUNT,
} from "./research-requests";

const steward = (s: Recorded, mfa: boolean) =>
  as(s, `${CLOSED}-steward`, { "aws:MultiFactorAuthPresent": String(mfa) });

table("ehealth:research:Enclave: a closed enclave (onco07, research example)", example, [
  // The close-out runbook: list-object-versions, then delete-objects with every key and version.
  {
    says: "a steward with MFA lists every version of the input",
    expect: "Allowed",
    request: (s) => ({
      ...steward(s, true),
      action: "s3:ListBucketVersions",
      resource: dataIn(s, CLOSED).arn,
      resourcePolicy: dataIn(s, CLOSED).policy,
    }),
  },
  ...["incoming/a.csv", "quarantine/b.csv"].flatMap((key): RowSpec<Recorded>[] => [
    {
      says: `a steward with MFA destroys a version of ${key}`,
      expect: "Allowed",
      request: (s) => ({
        ...steward(s, true),
        action: "s3:DeleteObjectVersion",
        ...object(dataIn(s, CLOSED), key),
      }),
    },
    {
      says: `a steward without MFA destroys a version of ${key}`,
      expect: "ExplicitlyDenied",
      request: (s) => ({
        ...steward(s, false),
        action: "s3:DeleteObjectVersion",
        ...object(dataIn(s, CLOSED), key),
      }),
    },
  ]),
  {
    says: "an administrator reads output through the endpoint the enclave had",
    expect: "ExplicitlyDenied",
    request: (s) => ({
      ...admin(ADMIN_ROLE, { "aws:SourceVpce": "vpce-0123456789abcdef0" }),
      action: "s3:GetObject",
      ...object(output(s, CLOSED), "r.csv"),
    }),
  },
  {
    says: "a steward with MFA collects output",
    expect: "Allowed",
    request: (s) => ({
      ...steward(s, true),
      action: "s3:GetObject",
      ...object(output(s, CLOSED), "r.csv"),
    }),
  },
  {
    says: "the enclave's backup role reads output from AWS Backup's side",
    expect: "Allowed",
    request: (s) => ({
      ...admin(s.role(`${CLOSED}-backup`).arn),
      action: "s3:GetObject",
      ...object(output(s, CLOSED), "r.csv"),
    }),
  },
  {
    says: "the deploying principal lists output (HeadBucket)",
    expect: "Allowed",
    request: (s) => ({
      ...admin(DEPLOYER),
      action: "s3:ListBucket",
      resource: output(s, CLOSED).arn,
      resourcePolicy: output(s, CLOSED).policy,
    }),
  },
  {
    says: "an administrator lists output",
    expect: "ExplicitlyDenied",
    request: (s) => ({
      ...admin(ADMIN_ROLE),
      action: "s3:ListBucket",
      resource: output(s, CLOSED).arn,
      resourcePolicy: output(s, CLOSED).policy,
    }),
  },
]);

/**
 * A study closed with no stewards: no stack file of ours configures one, so the component is built
 * in-process on the mock runtime and its recorded policies are simulated.
 */
let sealed: Promise<Recorded> | undefined;
const sealedEnclave = () =>
  (sealed ??= build(
    () =>
      new Enclave("unit-sealed", {
        id: "sealed01",
        status: "closed",
        region: EU,
        accountId: ACCOUNT,
        partition: "aws",
        vpcCidr: "10.70.0.0/20",
        availabilityZones: [`${EU}a`, `${EU}b`],
        logsKeyArn: `arn:aws:kms:${EU}:${ACCOUNT}:key/logs`,
        logRetentionDays: 365,
        backupRetentionDays: 35,
        workstation: { instanceType: "m7i.large", tenancy: "default", dataVolumeGb: 100 },
        stewards: [],
        researchers: [],
        deployerArn: DEPLOYER,
        patchGroup: "ehealth-unit-app",
        protect: false,
      }),
  ).then(({ resources }) => new Recorded({ resources })));

table(
  "ehealth:research:Enclave: a study closed with no stewards (built in-process)",
  sealedEnclave,
  [
    {
      says: "an account administrator reads its output",
      expect: "ExplicitlyDenied",
      request: (s) => ({
        ...admin(ADMIN_ROLE),
        action: "s3:GetObject",
        ...object(s.bucket("unit-sealed-output"), "x"),
      }),
    },
    {
      says: "an account administrator lists its output",
      expect: "ExplicitlyDenied",
      request: (s) => ({
        ...admin(ADMIN_ROLE),
        action: "s3:ListBucket",
        resource: s.bucket("unit-sealed-output").arn,
        resourcePolicy: s.bucket("unit-sealed-output").policy,
      }),
    },
    {
      says: "its backup role reads its output from AWS Backup's side",
      expect: "Allowed",
      request: (s) => ({
        ...admin(s.role("unit-sealed-backup").arn),
        action: "s3:GetObject",
        ...object(s.bucket("unit-sealed-output"), "x"),
      }),
    },
    {
      says: "the deploying principal lists its input (HeadBucket)",
      expect: "Allowed",
      request: (s) => ({
        ...admin(DEPLOYER),
        action: "s3:ListBucket",
        resource: s.bucket("unit-sealed-data-in").arn,
        resourcePolicy: s.bucket("unit-sealed-data-in").policy,
      }),
    },
  ],
);

/**
 * In AWS GovCloud (US) the enclave's endpoint must name that partition's package buckets. No stack
 * of ours runs there and the mock runtime's ARNs are all in `aws`, so the document is the one the
 * component writes (infra/research's s3EndpointPolicy, which it records unchanged, as the first
 * test shows) for a GovCloud region, simulated.
 */
const GOV = "us-gov-west-1";
const govEndpoint = s3EndpointPolicy(
  ["arn:aws-us-gov:s3:::gov-data-in", "arn:aws-us-gov:s3:::gov-output"],
  GOV,
  "aws-us-gov",
);
const govPackages = (partition: string) => `arn:${partition}:s3:::al2023-repos-${GOV}-de612dc2`;
const readable = (arn: string): PolicyDoc => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${arn}/*` }],
});

describe("ehealth:research:Enclave: its S3 endpoint in another partition", () => {
  it("records the endpoint policy infra/research writes for its buckets, region and partition", async () => {
    const s = await example();
    expect(s.endpointPolicy(`${E}-s3`)).to.deep.equal(
      s3EndpointPolicy([dataIn(s).arn, output(s).arn], EU, "aws"),
    );
  });
});

table("ehealth:research:Enclave: its S3 endpoint in AWS GovCloud (US)", async () => govEndpoint, [
  {
    says: "through the endpoint, the workstation reads a GovCloud Amazon Linux package",
    expect: "Allowed",
    request: (endpoint) => ({
      ...admin(`arn:aws-us-gov:iam::${ACCOUNT}:role/workstation`, { "aws:SourceVpce": "vpce-1" }),
      endpoint: [endpoint],
      action: "s3:GetObject",
      resource: `${govPackages("aws-us-gov")}/core/x.rpm`,
      resourceAccount: AWS_ACCOUNT,
      resourcePolicy: readable(govPackages("aws-us-gov")),
    }),
  },
  {
    says: "through the endpoint, the workstation reads the commercial partition's bucket of that name",
    expect: "Denied",
    request: (endpoint) => ({
      ...admin(`arn:aws-us-gov:iam::${ACCOUNT}:role/workstation`, { "aws:SourceVpce": "vpce-1" }),
      endpoint: [endpoint],
      action: "s3:GetObject",
      resource: `${govPackages("aws")}/core/x.rpm`,
      resourceAccount: AWS_ACCOUNT,
      resourcePolicy: readable(govPackages("aws")),
    }),
  },
]);
