/**
 * Who reaches an open research enclave's data, and what its endpoints let out, simulated against
 * what the research example records (examples/research/Pulumi.ireland.yaml, study cardio01): the
 * workstation's role, the buckets' policies, the enclave's S3 and DynamoDB endpoint policies.
 *
 * Not modelled: the workstation's AmazonSSMManagedInstanceCore and the backup role's
 * AWSBackupServiceRolePolicy* (AWS managed, not recorded by the program: where a row needs the
 * backup role to act, an `Allow *` identity stands in, so the row judges the bucket policy alone);
 * buckets of other accounts, whose policies are written here as the row says (an attacker's bucket
 * open to anyone, AWS's package buckets readable by anyone).
 */
import type { PolicyDoc } from "../../tools/preflight/iam/simulate";
import { Recorded, table, type RowSpec } from "../access/recorded";
import {
  EU,
  E,
  DEPLOYER,
  ADMIN_ROLE,
  example,
  dataIn,
  output,
  inside,
  sseKms,
  as,
  throughEndpoint,
  admin,
  object,
  objectRows,
  keyUse,
  AWS_ACCOUNT,
} from "./research-requests";

const workstation = (s: Recorded, context: Record<string, string>) =>
  throughEndpoint(s, `${E}-workstation`, context);
const uploads = (s: Recorded) => s.bucket("ehealth-ireland-uploads");

table("ehealth:research:Enclave: the workstation (cardio01, research example)", example, [
  ...objectRows("the workstation", workstation, [
    ["reads an accepted upload", "Allowed", "s3:GetObject", dataIn, "incoming/a.csv"],
    ["reads a quarantined upload", "Denied", "s3:GetObject", dataIn, "quarantine/x.csv"],
    ["writes into incoming/", "Denied", "s3:PutObject", dataIn, "incoming/a.csv"],
    ["writes a result into output", "Allowed", "s3:PutObject", output, "results.csv"],
    ["deletes a result", "Denied", "s3:DeleteObject", output, "results.csv"],
    ["reads a patient document of the platform", "Denied", "s3:GetObject", uploads, "patient.pdf"],
  ]),
  {
    says: "the workstation lists accepted uploads",
    expect: "Allowed",
    request: (s) => ({
      ...throughEndpoint(s, `${E}-workstation`, { "s3:prefix": "incoming/" }),
      action: "s3:ListBucket",
      resource: dataIn(s).arn,
      resourcePolicy: dataIn(s).policy,
    }),
  },
  {
    says: "the workstation lists the quarantine",
    expect: "Denied",
    request: (s) => ({
      ...throughEndpoint(s, `${E}-workstation`, { "s3:prefix": "quarantine/" }),
      action: "s3:ListBucket",
      resource: dataIn(s).arn,
      resourcePolicy: dataIn(s).policy,
    }),
  },
  ...keyUse(`${E}-workstation`),
]);

table(
  "ehealth:research:Enclave: its buckets, from inside and outside its endpoint (cardio01, research example)",
  example,
  (["data-in", "output"] as const).flatMap((suffix): RowSpec<Recorded>[] => {
    const bucket = (s: Recorded) => s.bucket(`${E}-${suffix}`);
    const key = suffix === "data-in" ? "incoming/a.csv" : "results.csv";
    return [
      {
        says: `an account administrator reads ${suffix} through the enclave's endpoint`,
        expect: "Allowed",
        request: (s) => ({
          ...admin(ADMIN_ROLE, inside(s)),
          endpoint: [s.endpointPolicy(`${E}-s3`)],
          action: "s3:GetObject",
          ...object(bucket(s), key),
        }),
      },
      {
        says: `an account administrator reads ${suffix} from outside the endpoint`,
        expect: "ExplicitlyDenied",
        request: (s) => ({
          ...admin(ADMIN_ROLE),
          action: "s3:GetObject",
          ...object(bucket(s), key),
        }),
      },
      {
        says: `an account administrator writes into ${suffix} from outside the endpoint`,
        expect: "ExplicitlyDenied",
        request: (s) => ({
          ...admin(ADMIN_ROLE, sseKms(s)),
          action: "s3:PutObject",
          ...object(bucket(s), key),
        }),
      },
      {
        says: `a steward with MFA reads ${suffix} from outside the endpoint`,
        expect: "Allowed",
        request: (s) => ({
          ...as(s, `${E}-steward`, { "aws:MultiFactorAuthPresent": "true" }),
          action: "s3:GetObject",
          ...object(bucket(s), key),
        }),
      },
      {
        says: `a steward without MFA reads ${suffix}`,
        expect: "ExplicitlyDenied",
        request: (s) => ({
          ...as(s, `${E}-steward`, { "aws:MultiFactorAuthPresent": "false" }),
          action: "s3:GetObject",
          ...object(bucket(s), key),
        }),
      },
      {
        says: `the enclave's backup role reads ${suffix} from AWS Backup's side`,
        expect: "Allowed",
        request: (s) => ({
          ...admin(s.role(`${E}-backup`).arn),
          action: "s3:GetObject",
          ...object(bucket(s), key),
        }),
      },
      {
        says: `the workstation reads ${suffix} through the endpoint over plain HTTP`,
        expect: "ExplicitlyDenied",
        request: (s) => ({
          ...throughEndpoint(s, `${E}-workstation`, { "aws:SecureTransport": "false" }),
          action: "s3:GetObject",
          ...object(bucket(s), key),
        }),
      },
      ...(
        [
          "s3:ListBucket",
          "s3:GetBucketPolicy",
          "s3:PutBucketPolicy",
          "s3:GetBucketVersioning",
        ] as const
      ).map((action): RowSpec<Recorded> => ({
        // HeadBucket, which the provider reads every bucket with, is authorised as s3:ListBucket.
        says: `the deploying principal (ehealth:deployerArn) calls ${action} on ${suffix}`,
        expect: "Allowed",
        request: (s) => ({
          ...admin(DEPLOYER),
          action,
          resource: bucket(s).arn,
          resourcePolicy: bucket(s).policy,
        }),
      })),
      ...(["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"] as const).map(
        (action): RowSpec<Recorded> => ({
          says: `the deploying principal calls ${action} on an object of ${suffix}`,
          expect: "ExplicitlyDenied",
          request: (s) => ({
            ...admin(DEPLOYER, action === "s3:PutObject" ? sseKms(s) : {}),
            action,
            ...object(bucket(s), key),
          }),
        }),
      ),
      {
        says: `an account administrator lists ${suffix} from outside the endpoint`,
        expect: "ExplicitlyDenied",
        request: (s) => ({
          ...admin(ADMIN_ROLE),
          action: "s3:ListBucket",
          resource: bucket(s).arn,
          resourcePolicy: bucket(s).policy,
        }),
      },
    ];
  }),
);

/** A bucket of another account whose policy admits anyone: where a leak would go. */
const ATTACKER: { arn: string; policy: PolicyDoc } = {
  arn: "arn:aws:s3:::attacker-bucket",
  policy: {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: "arn:aws:s3:::attacker-bucket/*",
      },
    ],
  },
};
/** A bucket AWS owns in the enclave's region, modelled as readable by anyone. */
const awsBucket = (name: string): { arn: string; policy: PolicyDoc } => ({
  arn: `arn:aws:s3:::${name}`,
  policy: {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: `arn:aws:s3:::${name}/*`,
      },
    ],
  },
});
/** Through the enclave's S3 endpoint, a caller whose IAM allows everything reads AWS's bucket. */
const readThroughEndpoint = (s: Recorded, bucket: string, key: string) => ({
  ...admin(ADMIN_ROLE, inside(s)),
  endpoint: [s.endpointPolicy(`${E}-s3`)],
  action: "s3:GetObject",
  resourceAccount: AWS_ACCOUNT,
  ...object(awsBucket(bucket), key),
});

table(
  "ehealth:research:Enclave: what its endpoints let out (cardio01, research example)",
  example,
  [
    {
      says: "through the S3 endpoint, an administrator reads enclave data",
      expect: "Allowed",
      request: (s) => ({
        ...admin(ADMIN_ROLE, inside(s)),
        endpoint: [s.endpointPolicy(`${E}-s3`)],
        action: "s3:GetObject",
        ...object(dataIn(s), "incoming/a.csv"),
      }),
    },
    {
      says: "through the S3 endpoint, an administrator copies data into the platform's uploads bucket",
      expect: "Denied",
      request: (s) => ({
        ...admin(ADMIN_ROLE, inside(s)),
        endpoint: [s.endpointPolicy(`${E}-s3`)],
        action: "s3:PutObject",
        ...object(s.bucket("ehealth-ireland-uploads"), "copied.csv"),
      }),
    },
    {
      says: "through the S3 endpoint, an administrator copies data into another account's open bucket",
      expect: "Denied",
      request: (s) => ({
        ...admin(ADMIN_ROLE, inside(s)),
        endpoint: [s.endpointPolicy(`${E}-s3`)],
        action: "s3:PutObject",
        resourceAccount: "999988887777",
        ...object(ATTACKER, "x.csv"),
      }),
    },
    {
      says: "(control) the same copy into the open bucket with no endpoint policy in the way",
      expect: "Allowed",
      request: (s) => ({
        ...admin(ADMIN_ROLE, inside(s)),
        action: "s3:PutObject",
        resourceAccount: "999988887777",
        ...object(ATTACKER, "x.csv"),
      }),
    },
    {
      says: "through the S3 endpoint, an administrator reads an Amazon Linux package",
      expect: "Allowed",
      request: (s) => readThroughEndpoint(s, `al2023-repos-${EU}-de612dc2`, "core/x.rpm"),
    },
    // AWS-RunPatchBaseline downloads the baseline snapshot and the SSM document attachments from
    // AWS's regional buckets ("SSM Agent communications with AWS managed S3 buckets", Systems
    // Manager User Guide), so the workstation is patched with the region's instances.
    ...[`patch-baseline-snapshot-${EU}`, `aws-ssm-document-attachments-${EU}`].map(
      (bucket): RowSpec<Recorded> => ({
        says: `through the S3 endpoint, the patch baseline is fetched from ${bucket}`,
        expect: "Allowed",
        request: (s) => readThroughEndpoint(s, bucket, "baseline.json"),
      }),
    ),
    {
      says: "through the S3 endpoint, another region's patch baseline snapshot is fetched",
      expect: "Denied",
      request: (s) => readThroughEndpoint(s, "patch-baseline-snapshot-us-west-2", "baseline.json"),
    },
    {
      says: "through the DynamoDB endpoint, the upload index takes an item",
      expect: "Allowed",
      request: (s) => ({
        ...admin(ADMIN_ROLE, { "aws:SourceVpce": s.endpointId(`${E}-dynamodb`) }),
        endpoint: [s.endpointPolicy(`${E}-dynamodb`)],
        action: "dynamodb:PutItem",
        resource: s.arn("aws:dynamodb/table:Table", `${E}-index`),
      }),
    },
    {
      says: "through the DynamoDB endpoint, the upload index is scanned",
      expect: "Denied",
      request: (s) => ({
        ...admin(ADMIN_ROLE, { "aws:SourceVpce": s.endpointId(`${E}-dynamodb`) }),
        endpoint: [s.endpointPolicy(`${E}-dynamodb`)],
        action: "dynamodb:Scan",
        resource: s.arn("aws:dynamodb/table:Table", `${E}-index`),
      }),
    },
  ],
);
