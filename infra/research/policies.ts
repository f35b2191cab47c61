/**
 * A research enclave's policies as pure functions: its key, its buckets (reachable only through the
 * enclave's S3 endpoint, or only by its data stewards once closed), and the exact rights of the
 * workstation, the upload function, the stewards and the researchers (164.312(a)(1),
 * 164.308(a)(4)(ii)(B), 164.312(b)).
 */
import { PolicyDocument, Statement, accountRoot, policyDocument } from "../iam";
import { denyInsecurePublish } from "../audit/alarms";
import { KeyPolicyContext, serviceKeyPolicy } from "../keys/policy";
import { documentBucketPolicy } from "../data/buckets";
import { INCOMING_PREFIX, QUARANTINE_PREFIX } from "./upload/function";

export { INCOMING_PREFIX, QUARANTINE_PREFIX };

/**
 * The services that keep an enclave's data under its key, each through its regional endpoint:
 * S3 (buckets), EC2 (volumes), DynamoDB (the index), Lambda (the function's environment), SNS and
 * SQS (notifications, dead letters), and AWS Backup, whose vault is encrypted with this key: a
 * vault's creator needs kms:CreateGrant, DescribeKey, Decrypt and GenerateDataKey on its key, which
 * AWS Backup calls on their behalf ("Backup vault creation and deletion", AWS Backup Developer
 * Guide, https://docs.aws.amazon.com/aws-backup/latest/devguide/create-a-vault.html).
 */
export const ENCLAVE_KEY_SERVICES = [
  "s3",
  "ec2",
  "dynamodb",
  "lambda",
  "sns",
  "sqs",
  "backup",
] as const;

export function enclaveKeyPolicy(ctx: KeyPolicyContext): PolicyDocument {
  return serviceKeyPolicy("EnclaveServices", ENCLAVE_KEY_SERVICES, ctx);
}

/** Everything that reads, writes or deletes objects: no one outside the enclave does. */
export const OBJECT_ACTIONS = [
  "s3:GetObject*",
  "s3:PutObject*",
  "s3:DeleteObject*",
  "s3:RestoreObject",
  "s3:ListMultipartUploadParts",
  "s3:AbortMultipartUpload",
  "s3:ReplicateObject",
] as const;

/**
 * Listing a bucket's keys, versions and uploads. s3:ListBucket is also the permission HeadBucket
 * needs, which the provider calls to read every bucket: the deploying principal keeps these (and
 * every bucket-level action), never the object actions.
 */
export const LISTING_ACTIONS = [
  "s3:ListBucket",
  "s3:ListBucketVersions",
  "s3:ListBucketMultipartUploads",
] as const;

/** What the enclave's endpoint lets through to its buckets. */
export const ISOLATED_ACTIONS = [...OBJECT_ACTIONS, ...LISTING_ACTIONS] as const;

export interface EnclaveBucketArgs {
  readonly bucketArn: string;
  readonly keyArn: string;
  /** The enclave's S3 gateway endpoint while it is open; absent once closed. */
  readonly endpointId?: string;
  /** The data stewards' role: the one way in for people outside the enclave (with MFA). */
  readonly stewardRoleArn?: string;
  /** The enclave's AWS Backup role, which reads objects from AWS's side, not the endpoint. */
  readonly backupRoleArn?: string;
  /** The role or user that runs Pulumi: it manages the bucket (and lists it), never its objects. */
  readonly deployerArn?: string;
}

/**
 * TLS only, uploads under the enclave key only, and no object access from anywhere but the
 * enclave's endpoint, except the stewards' role (with MFA) and the enclave's backups. Closed, the
 * endpoint is gone: only those two remain (with neither, the objects are sealed until the policy
 * changes). The deploying principal may list the bucket too (the provider's HeadBucket needs
 * s3:ListBucket), so that `pulumi refresh` and changes to the bucket work; it reads no object.
 */
export function enclaveBucketPolicy(a: EnclaveBucketArgs): PolicyDocument {
  const resources = [a.bucketArn, `${a.bucketArn}/*`];
  const trusted = [a.stewardRoleArn, a.backupRoleArn].filter((r): r is string => Boolean(r));
  const outside = (principals: readonly string[]) => {
    const condition: Record<string, Record<string, string | string[]>> = {};
    if (a.endpointId) condition.StringNotEquals = { "aws:SourceVpce": a.endpointId };
    if (principals.length) condition.ArnNotEquals = { "aws:PrincipalArn": [...principals] };
    return Object.keys(condition).length ? { Condition: condition } : {};
  };
  const listers = a.deployerArn ? [...trusted, a.deployerArn] : trusted;
  const statements: Statement[] = [
    ...documentBucketPolicy(a.bucketArn, a.keyArn).Statement,
    {
      Sid: a.endpointId ? "DenyOutsideTheEnclave" : "DenyAllButStewardsOnceClosed",
      Effect: "Deny",
      Principal: "*",
      Action: [...OBJECT_ACTIONS],
      Resource: resources,
      ...outside(trusted),
    },
    {
      Sid: a.endpointId ? "DenyListingOutsideTheEnclave" : "DenyListingOnceClosed",
      Effect: "Deny",
      Principal: "*",
      Action: [...LISTING_ACTIONS],
      Resource: a.bucketArn,
      ...outside(listers),
    },
  ];
  if (a.stewardRoleArn) {
    statements.push({
      Sid: "StewardsOnlyWithMfa",
      Effect: "Deny",
      Principal: "*",
      Action: [...ISOLATED_ACTIONS],
      Resource: resources,
      Condition: {
        ArnEquals: { "aws:PrincipalArn": a.stewardRoleArn },
        BoolIfExists: { "aws:MultiFactorAuthPresent": "false" },
      },
    });
  }
  return policyDocument(statements);
}

/**
 * The S3 endpoint of the enclave lets its workloads reach the enclave's own buckets and the AWS
 * buckets that patching and Session Manager need, and nothing else: the workstation cannot copy
 * data to a bucket of anyone's choosing.
 */
export function s3EndpointPolicy(
  bucketArns: readonly string[],
  region: string,
  partition: string,
): PolicyDocument {
  const aws = (bucket: string) => `arn:${partition}:s3:::${bucket}/*`;
  return policyDocument([
    {
      Sid: "EnclaveBuckets",
      Effect: "Allow",
      Principal: "*",
      Action: [...ISOLATED_ACTIONS],
      Resource: [...bucketArns, ...bucketArns.map((a) => `${a}/*`)],
    },
    {
      Sid: "AwsPackagesAndAgents",
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: [
        aws(`al2023-repos-${region}-*`),
        aws(`aws-ssm-${region}`),
        aws(`amazon-ssm-${region}`),
        aws(`amazon-ssm-packages-${region}`),
        aws(`${region}-birdwatcher-prod`),
        aws(`aws-patch-manager-${region}-*`),
        // The patch baseline's snapshot and SSM document attachments, which AWS-RunPatchBaseline
        // downloads ("SSM Agent communications with AWS managed S3 buckets", Systems Manager
        // User Guide).
        aws(`patch-baseline-snapshot-${region}`),
        aws(`aws-ssm-document-attachments-${region}`),
      ],
    },
  ]);
}

/** The DynamoDB endpoint reaches the enclave's upload index alone. */
export function dynamodbEndpointPolicy(tableArn: string): PolicyDocument {
  return policyDocument([
    {
      Sid: "UploadIndexOnly",
      Effect: "Allow",
      Principal: "*",
      Action: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"],
      Resource: tableArn,
    },
  ]);
}

export interface EnclaveAccess {
  readonly region: string;
  readonly dataInArn: string;
  readonly outputArn: string;
  readonly keyArn: string;
}

/** The enclave key, for these services only (S3 objects, the DynamoDB index, SNS, SQS). */
const keyThrough = (a: EnclaveAccess, services: readonly string[]): Statement => ({
  Sid: "EnclaveKeyThroughItsServices",
  Effect: "Allow",
  Action: ["kms:Decrypt", "kms:GenerateDataKey"],
  Resource: a.keyArn,
  Condition: {
    StringEquals: { "kms:ViaService": services.map((s) => `${s}.${a.region}.amazonaws.com`) },
  },
});

/** The workstation reads what was accepted into data-in, writes output, logs its sessions. */
export function workstationPolicy(
  a: EnclaveAccess & { readonly sessionLogGroupArn: string },
): PolicyDocument {
  return policyDocument([
    {
      Sid: "ListAcceptedUploads",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: a.dataInArn,
      Condition: { StringLike: { "s3:prefix": [INCOMING_PREFIX, `${INCOMING_PREFIX}*`] } },
    },
    {
      Sid: "ReadAcceptedUploads",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: `${a.dataInArn}/${INCOMING_PREFIX}*`,
    },
    {
      Sid: "WriteOutput",
      Effect: "Allow",
      Action: ["s3:ListBucket", "s3:PutObject", "s3:GetObject"],
      Resource: [a.outputArn, `${a.outputArn}/*`],
    },
    keyThrough(a, ["s3"]),
    {
      Sid: "SessionTranscripts",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      Resource: [a.sessionLogGroupArn, `${a.sessionLogGroupArn}:*`],
    },
    {
      // Session Manager checks that the group it logs to exists and is encrypted.
      Sid: "FindSessionLogGroup",
      Effect: "Allow",
      Action: "logs:DescribeLogGroups",
      Resource: "*",
    },
  ]);
}

export interface UploadFunctionAccess extends EnclaveAccess {
  readonly tableArn: string;
  readonly topicArn: string;
  readonly queueArn: string;
  readonly logGroupArn: string;
}

/**
 * The upload function: read new uploads, quarantine, index, notify, dead-letter, write its own
 * logs, and the network interfaces Lambda needs in the VPC (AWS's managed VPC policy would also
 * let it write to any log group).
 */
export function uploadFunctionPolicy(a: UploadFunctionAccess): PolicyDocument {
  return policyDocument([
    {
      Sid: "NetworkInterfacesInTheVpc",
      Effect: "Allow",
      Action: [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ],
      Resource: "*",
    },
    {
      Sid: "ReadAndMoveUploads",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObjectVersion", "s3:DeleteObject"],
      Resource: `${a.dataInArn}/${INCOMING_PREFIX}*`,
    },
    {
      Sid: "WriteQuarantine",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: `${a.dataInArn}/${QUARANTINE_PREFIX}*`,
    },
    { Sid: "Index", Effect: "Allow", Action: "dynamodb:PutItem", Resource: a.tableArn },
    { Sid: "Notify", Effect: "Allow", Action: "sns:Publish", Resource: a.topicArn },
    { Sid: "DeadLetters", Effect: "Allow", Action: "sqs:SendMessage", Resource: a.queueArn },
    keyThrough(a, ["s3", "dynamodb", "sns", "sqs"]),
    {
      Sid: "OwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${a.logGroupArn}:*`,
    },
  ]);
}

/** The notification topic: the account's principals (IAM decides which) over TLS only. */
export function uploadTopicPolicy(
  topicArn: string,
  accountId: string,
  partition: string,
): PolicyDocument {
  return policyDocument([
    {
      Sid: "AccountUsesTheTopic",
      Effect: "Allow",
      Principal: { AWS: accountRoot(partition, accountId) },
      Action: ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes"],
      Resource: topicArn,
    },
    denyInsecurePublish(topicArn),
  ]);
}

/** Stewards bring data in, see what the pipeline made of it, and collect the output. */
export function stewardPolicy(a: EnclaveAccess & { readonly tableArn: string }): PolicyDocument {
  return policyDocument([
    {
      Sid: "Upload",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
      Resource: `${a.dataInArn}/${INCOMING_PREFIX}*`,
    },
    {
      // DeleteObjectVersion: the close-out destroys every version of the input
      // (docs/runbooks/close-out.md, "The input data").
      Sid: "ReviewUploadsAndQuarantine",
      Effect: "Allow",
      Action: [
        "s3:ListBucket",
        "s3:ListBucketVersions",
        "s3:GetObject",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
      ],
      Resource: [a.dataInArn, `${a.dataInArn}/*`],
    },
    {
      Sid: "CollectOutput",
      Effect: "Allow",
      Action: ["s3:ListBucket", "s3:GetObject"],
      Resource: [a.outputArn, `${a.outputArn}/*`],
    },
    keyThrough(a, ["s3", "dynamodb"]),
    {
      Sid: "ReadUploadIndex",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"],
      Resource: a.tableArn,
    },
  ]);
}

export interface ResearcherAccess {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly instanceArn: string;
  readonly sessionDocumentArn: string;
  /** The enclave's bastion, when the site requires SSH. */
  readonly bastionArn?: string;
}

/** The account SSH lands in on the bastion (Amazon Linux's default). */
export const BASTION_USER = "ec2-user";

/**
 * Researchers open sessions on their workstation, only through the enclave's logged session
 * document (a plain session would not be recorded), and end their own sessions. With a bastion,
 * they may also push a one-minute SSH key (EC2 Instance Connect) to it and to the workstation, as
 * its own account and the researcher account only: there are no standing SSH keys.
 */
export function researcherPolicy(a: ResearcherAccess): PolicyDocument {
  const ssh: Statement[] = a.bastionArn
    ? [
        {
          Sid: "ShortLivedKeyToTheBastion",
          Effect: "Allow",
          Action: "ec2-instance-connect:SendSSHPublicKey",
          Resource: a.bastionArn,
          Condition: { StringEquals: { "ec2:osuser": BASTION_USER } },
        },
        {
          Sid: "ShortLivedKeyToTheWorkstation",
          Effect: "Allow",
          Action: "ec2-instance-connect:SendSSHPublicKey",
          Resource: a.instanceArn,
          Condition: { StringEquals: { "ec2:osuser": RESEARCHER_USER } },
        },
      ]
    : [];
  return policyDocument([
    ...ssh,
    {
      Sid: "SessionsOnTheWorkstationThroughTheLoggedDocument",
      Effect: "Allow",
      Action: "ssm:StartSession",
      Resource: [a.instanceArn, a.sessionDocumentArn],
      Condition: { BoolIfExists: { "ssm:SessionDocumentAccessCheck": "true" } },
    },
    {
      Sid: "OwnSessions",
      Effect: "Allow",
      Action: ["ssm:TerminateSession", "ssm:ResumeSession"],
      Resource: `arn:${a.partition}:ssm:*:${a.accountId}:session/\${aws:userid}-*`,
    },
    {
      Sid: "SeeTheWorkstation",
      Effect: "Allow",
      Action: [
        "ssm:DescribeSessions",
        "ssm:GetConnectionStatus",
        "ssm:DescribeInstanceProperties",
        "ec2:DescribeInstances",
      ],
      Resource: "*",
    },
  ]);
}

/** The operating-system account every research session runs as (Session Manager's runAs). */
export const RESEARCHER_USER = "researcher";
/** Where the encrypted data volume is mounted on the workstation. */
export const DATA_MOUNT = "/data";
/** The data volume's device name (Amazon Linux links the NVMe device to it). */
export const DATA_DEVICE = "/dev/sdf";

/**
 * The enclave's Session Manager document: shell sessions as the researcher account, in /data,
 * every keystroke and output streamed to an encrypted log group, idle sessions closed after 20
 * minutes and none longer than a working day.
 */
export function sessionDocument(id: string, logGroupName: string): string {
  return JSON.stringify({
    schemaVersion: "1.0",
    description: `Research enclave ${id}: logged shell sessions as ${RESEARCHER_USER}`,
    sessionType: "Standard_Stream",
    inputs: {
      cloudWatchLogGroupName: logGroupName,
      cloudWatchEncryptionEnabled: true,
      cloudWatchStreamingEnabled: true,
      idleSessionTimeout: "20",
      maxSessionDuration: "480",
      runAsEnabled: true,
      runAsDefaultUser: RESEARCHER_USER,
      shellProfile: { linux: `cd ${DATA_MOUNT}`, windows: "" },
    },
  });
}

/** The workstation's first boot: the researcher account and the data volume, formatted once. */
export function workstationUserData(): string {
  return `#!/bin/bash
set -euo pipefail
id ${RESEARCHER_USER} >/dev/null 2>&1 || useradd --create-home --shell /bin/bash ${RESEARCHER_USER}
for _ in $(seq 1 60); do [ -e ${DATA_DEVICE} ] && break; sleep 5; done
blkid ${DATA_DEVICE} >/dev/null 2>&1 || mkfs.xfs ${DATA_DEVICE}
mkdir -p ${DATA_MOUNT}
uuid=$(blkid -s UUID -o value ${DATA_DEVICE})
grep -q "$uuid" /etc/fstab || echo "UUID=$uuid ${DATA_MOUNT} xfs defaults,nofail 0 2" >> /etc/fstab
mount -a
chown ${RESEARCHER_USER}:${RESEARCHER_USER} ${DATA_MOUNT}
`;
}
