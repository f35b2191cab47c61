import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { serviceTrust } from "../iam";
import { taggedSelection } from "../data/backup";
import { accessLogBucketPolicy, secureBucket } from "../data/buckets";
import { bastionHost } from "../compute/bastion";
import { PATCH_GROUP_TAG } from "../compute/patching";
import { amiParameter } from "../compute/policies";
import {
  PERSONA_SESSION_SECONDS,
  TIER_TAG,
  personaTrust,
  principalArns,
} from "../identity/personas";
import { Network } from "../network";
import { ENCLAVE_DATA_BUCKETS, MAX_ENCLAVE_NAME } from "./names";
import {
  DATA_DEVICE,
  INCOMING_PREFIX,
  dynamodbEndpointPolicy,
  enclaveBucketPolicy,
  enclaveKeyPolicy,
  researcherPolicy,
  s3EndpointPolicy,
  sessionDocument,
  stewardPolicy,
  uploadFunctionPolicy,
  uploadTopicPolicy,
  workstationPolicy,
  workstationUserData,
} from "./policies";

export * from "./names";
export * from "./policies";
export { screenKey } from "./upload/function";

/** Interface endpoints an enclave needs: Session Manager, its logs, the upload notifications. */
export const ENCLAVE_INTERFACE_ENDPOINTS = [
  "ssm",
  "ssmmessages",
  "ec2messages",
  "logs",
  "sns",
] as const;

/** Two AZs: the endpoints and the function span them; the workstation lives in the first. */
export const ENCLAVE_AZ_COUNT = 2;
/** The code Lambda runs (`npm run lambda` writes it from upload/function.ts). */
export const UPLOAD_FUNCTION_CODE = path.join(__dirname, "upload", "dist", "index.mjs");
/** The tier tag of research workstations: the sysadmin persona's sessions do not reach them. */
export const RESEARCH_TIER = "research";
/**
 * How long deleting the upload function's security group and subnets may wait for the function's
 * network interfaces, which Lambda releases on its own schedule after the function is gone: "up to
 * 20 minutes" ("Giving Lambda functions access to resources in an Amazon VPC", Lambda Developer
 * Guide, https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html), a P99 of about 35
 * minutes by the Lambda team's figures that the AWS provider waits for (it waits at least 45 minutes
 * for such an interface, then deletes the group within the group's own delete timeout).
 */
export const LAMBDA_NETWORK_RELEASE_TIMEOUT = "60m";

/** The workstation of an enclave. */
export interface WorkstationSpec {
  /** A general-purpose m-family type (stacks/config refuses the others). */
  readonly instanceType: string;
  /** Dedicated hardware, or shared with other accounts. */
  readonly tenancy: "dedicated" | "default";
  /** The data volume mounted at /data, in GiB. */
  readonly dataVolumeGb: number;
}

export interface EnclaveArgs {
  /** The study's project identifier, in every name and tag. */
  readonly id: string;
  /** open: everything; closed: only what must outlive the study (data, index, key, logs). */
  readonly status: "open" | "closed";
  /** Closed only: the key may be deleted and the kept resources may leave the program. @default false */
  readonly purge?: boolean;
  /** The study's approval number, as the IrbProtocol tag. */
  readonly irbProtocol?: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  /** The enclave's own VPC range (no peering: it overlaps nothing so that it never needs to). */
  readonly vpcCidr: string;
  /** The region's AZs; the enclave uses the first two. */
  readonly availabilityZones: readonly string[];
  /** The region's logs key: the enclave's logs stay readable after its own key is purged. */
  readonly logsKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  /** Days the enclave's own backup plan keeps its daily recovery points (in this region only). */
  readonly backupRetentionDays: number;
  readonly workstation: WorkstationSpec;
  /** IAM principals who upload data and collect output, with MFA. */
  readonly stewards: readonly string[];
  /** IAM principals who open sessions on the workstation, with MFA. */
  readonly researchers: readonly string[];
  /** A NAT gateway so the workstation can reach the internet (package mirrors). @default false */
  readonly internetAccess?: boolean;
  /** Sites the optional bastion admits SSH from; none: no bastion. @default [] */
  readonly bastionCidrs?: readonly string[];
  /** Email addresses told of every upload. @default [] */
  readonly notify?: readonly string[];
  /**
   * The upload function's reserved concurrency. Reserving takes from the account's pool, and Lambda
   * refuses any reservation that leaves fewer than 100 unreserved (a new account's whole pool may
   * be 10). @default none: the function shares the account's unreserved pool
   */
  readonly uploadConcurrency?: number;
  /**
   * The IAM role or user ARN that runs Pulumi: the buckets' policies let it manage and list the
   * buckets (the provider reads each with HeadBucket), and read no object.
   */
  readonly deployerArn: string;
  /** The region's patch group (compute's patchGroupName): the bastion is patched with the rest. */
  readonly patchGroup: string;
  /** Protect and retain the enclave's data, key and logs. */
  readonly protect: boolean;
}

/**
 * A research enclave, the secure computing environment of one approved study (164.308(a)(4),
 * 164.312(a)(1), 164.312(b)): its own VPC with no way in but Session Manager (and an optional
 * allow-listed bastion) and no way out unless asked; a private workstation; data-in, output and
 * logs buckets reachable only through the enclave's endpoint or by its stewards; an upload
 * pipeline that quarantines identifier-bearing file names; and a close-out that removes compute,
 * pipeline and network while keeping data, index, key and logs.
 */
export class Enclave extends pulumi.ComponentResource {
  public readonly status: "open" | "closed";
  public readonly key: aws.kms.Key;
  public readonly dataIn: aws.s3.Bucket;
  public readonly output: aws.s3.Bucket;
  public readonly logs: aws.s3.Bucket;
  public readonly index: aws.dynamodb.Table;
  public readonly vault: aws.backup.Vault;
  /** The role the enclave's backups and restores run as (restores name it: docs/runbooks/restore.md). */
  public readonly backupRole: aws.iam.Role;
  /** The data-in and output buckets' ARNs: the trail records every object read and write. */
  public readonly phiBucketArns: pulumi.Output<string[]>;
  public readonly stewardRole?: aws.iam.Role;
  public readonly network?: Network;
  public readonly workstation?: aws.ec2.Instance;
  public readonly researcherRole?: aws.iam.Role;
  public readonly sessionDocument?: aws.ssm.Document;
  public readonly uploadFunction?: aws.lambda.Function;
  public readonly bastion?: aws.ec2.Instance;

  constructor(name: string, args: EnclaveArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(
      "ehealth:research:Enclave",
      name,
      {
        projectId: args.id,
        status: args.status,
        purge: args.purge ?? false,
        internetAccess: args.internetAccess ?? false,
        bastion: (args.bastionCidrs ?? []).length > 0,
        irbProtocol: args.irbProtocol ?? "",
      },
      opts,
    );
    if (name.length > MAX_ENCLAVE_NAME) {
      throw new Error(
        `Enclave ${name}: the name has ${name.length} characters, more than the ${MAX_ENCLAVE_NAME} its derived names leave room for (a backup vault name has 50 characters): use a shorter project identifier`,
      );
    }
    if (args.purge && args.status !== "closed") {
      throw new Error(`Enclave ${name}: purge applies to a closed enclave only`);
    }
    if (args.availabilityZones.length < ENCLAVE_AZ_COUNT) {
      throw new Error(`Enclave ${name}: needs ${ENCLAVE_AZ_COUNT} availability zones`);
    }
    this.status = args.status;
    const open = args.status === "open";
    const purge = args.purge ?? false;
    const child = { parent: this };
    // Kept resources: protected while the study's data must live; after a purge they may leave
    // the program, and AWS keeps them (retainOnDelete) except the key, whose deletion is then
    // scheduled (its 30-day window lets a mistaken purge be undone).
    const keep = { parent: this, protect: args.protect && !purge, retainOnDelete: args.protect };
    const tags = {
      Enclave: args.id,
      ...(args.irbProtocol ? { IrbProtocol: args.irbProtocol } : {}),
    };
    // The enclave's own backups: in its region only (a study's data stays where its agreement
    // says), under its key (a purge makes them unreadable too).
    const inPlan = { Backup: name };
    const ctx = { accountId: args.accountId, partition: args.partition, region: args.region };

    this.key = new aws.kms.Key(
      name,
      {
        description: `Research enclave ${args.id}: its data, index, workstation volumes and pipeline`,
        enableKeyRotation: true,
        rotationPeriodInDays: 365,
        deletionWindowInDays: 30,
        isEnabled: !purge,
        policy: JSON.stringify(enclaveKeyPolicy(ctx)),
        tags: { Name: name, Purpose: "research", ...tags },
      },
      { parent: this, protect: args.protect && !purge, retainOnDelete: args.protect && !purge },
    );
    new aws.kms.Alias(name, { name: `alias/${name}`, targetKeyId: this.key.keyId }, child);
    const keyArn = this.key.arn;

    const logGroup = (suffix: string, groupName: string) =>
      new aws.cloudwatch.LogGroup(
        `${name}-${suffix}`,
        {
          name: groupName,
          kmsKeyId: args.logsKeyArn,
          retentionInDays: args.logRetentionDays,
          tags: { Name: groupName, ...tags },
        },
        keep,
      );
    // Audit evidence outlives the study: the groups belong to the enclave, not to what it removes.
    const flowLogs = logGroup("flow-logs", `/ehealth/${name}/vpc-flow-logs`);
    const sessionLogs = logGroup("sessions", `/ehealth/${name}/sessions`);
    const functionLogs = logGroup("upload-logs", `/aws/lambda/${name}-upload`);

    // S3 server access logs can be delivered only to an SSE-S3 bucket (the policy pack knows).
    this.logs = secureBucket(this, `${name}-logs`, {
      policy: (arn) => JSON.stringify(accessLogBucketPolicy(arn, args.accountId, args.partition)),
      tags: { Purpose: "research-access-logs", ...tags },
      protect: keep.protect,
      retainOnDelete: keep.retainOnDelete,
    });

    if (args.stewards.length > 0) {
      this.stewardRole = peopleRole(
        this,
        `${name}-steward`,
        `Data stewards of study ${args.id}: upload into data-in, collect output (MFA)`,
        args.stewards,
        { ...ctx, tags },
      );
    }
    const stewardRoleArn = this.stewardRole?.arn;

    this.vault = new aws.backup.Vault(
      name,
      { kmsKeyArn: keyArn, forceDestroy: false, tags: { Name: name, ...tags } },
      keep,
    );
    const plan = new aws.backup.Plan(
      name,
      {
        rules: [
          {
            ruleName: "daily",
            targetVaultName: this.vault.name,
            schedule: "cron(0 3 * * ? *)",
            startWindow: 60,
            completionWindow: 360,
            lifecycle: { deleteAfter: args.backupRetentionDays },
            recoveryPointTags: { Rule: "daily", ...tags },
          },
        ],
        tags: { Name: name, ...tags },
      },
      child,
    );
    const backup = taggedSelection(this, name, {
      partition: args.partition,
      planId: plan.id,
      tag: { key: "Backup", value: name },
      description: `AWS Backup: study ${args.id}'s index, buckets and workstation data volume`,
    });
    this.backupRole = backup.role;

    // The enclave's network exists only while it is open; its S3 endpoint is the buckets' way in
    // (its backups read them from AWS's side). The bucket policies read the endpoint when their
    // ARN resolves, after the network is declared below (its endpoint policy names the buckets).
    let network: Network | undefined;
    const dataBucket = (suffix: (typeof ENCLAVE_DATA_BUCKETS)[number]) =>
      secureBucket(this, `${name}-${suffix}`, {
        kmsKeyArn: keyArn,
        accessLogBucket: this.logs,
        policy: (arn) =>
          pulumi
            .all([keyArn, network?.gatewayEndpoints.s3.id, stewardRoleArn, backup.role.arn])
            .apply(([key, endpointId, steward, backupRole]) =>
              JSON.stringify(
                enclaveBucketPolicy({
                  bucketArn: arn,
                  keyArn: key,
                  deployerArn: args.deployerArn,
                  ...(endpointId ? { endpointId } : {}),
                  ...(steward ? { stewardRoleArn: steward } : {}),
                  ...(backupRole ? { backupRoleArn: backupRole } : {}),
                }),
              ),
            ),
        tags: { DataClassification: "PHI", Purpose: `research-${suffix}`, ...tags, ...inPlan },
        protect: keep.protect,
        retainOnDelete: keep.retainOnDelete,
      });

    this.index = new aws.dynamodb.Table(
      `${name}-index`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: "objectKey",
        rangeKey: "versionId",
        attributes: [
          { name: "objectKey", type: "S" },
          { name: "versionId", type: "S" },
        ],
        serverSideEncryption: { enabled: true, kmsKeyArn: keyArn },
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: true,
        tags: { Name: `${name}-index`, DataClassification: "PHI", ...tags, ...inPlan },
      },
      keep,
    );

    const [dataIn, output] = ENCLAVE_DATA_BUCKETS.map(dataBucket);
    this.dataIn = dataIn;
    this.output = output;
    this.phiBucketArns = pulumi.all([dataIn.arn, output.arn]);
    if (open) {
      const bastionCidrs = args.bastionCidrs ?? [];
      network = new Network(
        name,
        {
          vpcCidr: args.vpcCidr,
          availabilityZones: args.availabilityZones.slice(0, ENCLAVE_AZ_COUNT),
          region: args.region,
          accountId: args.accountId,
          partition: args.partition,
          logsKeyArn: args.logsKeyArn,
          publicTier: (args.internetAccess ?? false) || bastionCidrs.length > 0,
          natGateways: args.internetAccess ? "single" : "none",
          interfaceEndpoints: ENCLAVE_INTERFACE_ENDPOINTS,
          dataPorts: [],
          sshSources: bastionCidrs,
          flowLogRetentionDays: args.logRetentionDays,
          flowLogGroup: flowLogs,
          // The upload function's network interfaces outlive it by up to AWS's release time.
          subnetDeleteTimeout: LAMBDA_NETWORK_RELEASE_TIMEOUT,
          gatewayEndpointPolicies: {
            s3: this.phiBucketArns.apply((arns) =>
              JSON.stringify(s3EndpointPolicy(arns, args.region, args.partition)),
            ),
            dynamodb: this.index.arn.apply((arn) => JSON.stringify(dynamodbEndpointPolicy(arn))),
          },
          protect: args.protect,
        },
        child,
      );
      this.network = network;
    }

    const access = pulumi.all([this.dataIn.arn, this.output.arn, keyArn, this.index.arn]);
    if (this.stewardRole) {
      new aws.iam.RolePolicy(
        `${name}-steward`,
        {
          role: this.stewardRole.id,
          policy: access.apply(([dataInArn, outputArn, key, tableArn]) =>
            JSON.stringify(
              stewardPolicy({ region: args.region, dataInArn, outputArn, keyArn: key, tableArn }),
            ),
          ),
        },
        child,
      );
    }

    if (open && network) {
      const parts = this.openParts(name, args, network, {
        keyArn,
        sessionLogs,
        functionLogs,
        tags,
        access,
      });
      this.workstation = parts.workstation;
      this.sessionDocument = parts.sessionDocument;
      this.researcherRole = parts.researcherRole;
      this.uploadFunction = parts.uploadFunction;
      this.bastion = parts.bastion;
    }

    this.registerOutputs({
      keyArn,
      dataInBucket: this.dataIn.bucket,
      outputBucket: this.output.bucket,
      logsBucket: this.logs.bucket,
      indexTable: this.index.name,
      workstationId: this.workstation?.id,
    });
  }

  /** What runs only while the study is open: workstation, sessions, upload pipeline, bastion. */
  private openParts(
    name: string,
    args: EnclaveArgs,
    network: Network,
    shared: {
      keyArn: pulumi.Output<string>;
      sessionLogs: aws.cloudwatch.LogGroup;
      functionLogs: aws.cloudwatch.LogGroup;
      tags: Record<string, string>;
      access: pulumi.Output<[string, string, string, string]>;
    },
  ): OpenParts {
    const child = { parent: this };
    const { keyArn, tags } = shared;
    const ctx = { accountId: args.accountId, partition: args.partition };

    // The workstation: private, dedicated unless told otherwise, volumes under the enclave key.
    const workstationGroup = endpointOnlyGroup(
      this,
      name,
      network,
      { vpcCidr: args.vpcCidr, tags },
      "workstation",
      "Research workstation: no inbound (Session Manager), HTTPS to its endpoints only",
      args.internetAccess ?? false,
    );
    const role = new aws.iam.Role(
      `${name}-workstation`,
      {
        name: `${name}-workstation`,
        description: `Workstation of study ${args.id}: read accepted uploads, write output`,
        assumeRolePolicy: serviceTrust("ec2.amazonaws.com"),
        managedPolicyArns: [`arn:${args.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`],
        tags: { Name: `${name}-workstation`, ...tags },
      },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-workstation`,
      {
        role: role.id,
        policy: pulumi
          .all([shared.access, shared.sessionLogs.arn])
          .apply(([[dataInArn, outputArn, key], sessionLogGroupArn]) =>
            JSON.stringify(
              workstationPolicy({
                region: args.region,
                dataInArn,
                outputArn,
                keyArn: key,
                sessionLogGroupArn,
              }),
            ),
          ),
      },
      child,
    );
    const profile = new aws.iam.InstanceProfile(
      `${name}-workstation`,
      { name: `${name}-workstation`, role: role.name, tags: { Name: `${name}-workstation` } },
      child,
    );
    const ami = aws.ssm.getParameterOutput(
      { name: amiParameter(args.workstation.instanceType) },
      { parent: this },
    );
    const workstation = new aws.ec2.Instance(
      `${name}-workstation`,
      {
        ami: ami.value,
        instanceType: args.workstation.instanceType,
        tenancy: args.workstation.tenancy,
        subnetId: network.subnets.app[0].id,
        associatePublicIpAddress: false,
        vpcSecurityGroupIds: [workstationGroup.id],
        iamInstanceProfile: profile.name,
        monitoring: true,
        ebsOptimized: true,
        metadataOptions: {
          httpEndpoint: "enabled",
          httpTokens: "required",
          httpPutResponseHopLimit: 1,
        },
        rootBlockDevice: {
          volumeType: "gp3",
          volumeSize: 50,
          encrypted: true,
          kmsKeyId: keyArn,
          deleteOnTermination: true,
        },
        userData: workstationUserData(),
        // Patched with the region's Amazon Linux 2023 instances (compute's maintenance window).
        tags: {
          Name: `${name}-workstation`,
          [TIER_TAG]: RESEARCH_TIER,
          [PATCH_GROUP_TAG]: args.patchGroup,
          ...tags,
        },
      },
      child,
    );
    const volume = new aws.ebs.Volume(
      `${name}-data`,
      {
        availabilityZone: args.availabilityZones[0],
        size: args.workstation.dataVolumeGb,
        type: "gp3",
        encrypted: true,
        kmsKeyId: keyArn,
        tags: { Name: `${name}-data`, ...tags, Backup: name },
      },
      child,
    );
    new aws.ec2.VolumeAttachment(
      `${name}-data`,
      { deviceName: DATA_DEVICE, volumeId: volume.id, instanceId: workstation.id },
      child,
    );

    // Sessions: only through the enclave's logged document, only by the named researchers.
    const session = new aws.ssm.Document(
      `${name}-session`,
      {
        name: `${name}-session`,
        documentType: "Session",
        documentFormat: "JSON",
        content: shared.sessionLogs.name.apply((group) => sessionDocument(args.id, group)),
        tags: { Name: `${name}-session`, ...tags },
      },
      child,
    );
    const bastionCidrs = args.bastionCidrs ?? [];
    const bastion =
      bastionCidrs.length === 0
        ? undefined
        : bastionHost(this, name, {
            vpcId: network.vpcId,
            subnetId: network.subnetIds.public[0],
            allowedCidrs: bastionCidrs,
            instanceType: "t3.micro",
            appSecurityGroupId: workstationGroup.id,
            phiKeyArn: keyArn,
            partition: args.partition,
            // Session Manager through the enclave's endpoints; packages, the SSM agent and patch
            // baselines from S3; the internet only when the enclave asked for it.
            httpsEgress: [
              {
                cidrIpv4: args.vpcCidr,
                description: "HTTPS to the enclave's endpoints (Session Manager)",
              },
              {
                prefixListId: network.gatewayEndpoints.s3.prefixListId,
                description: "HTTPS to S3: packages and patches",
              },
              ...(args.internetAccess
                ? [{ cidrIpv4: "0.0.0.0/0", description: "HTTPS out through the internet" }]
                : []),
            ],
            patchGroup: args.patchGroup,
          });
    let researcherRole: aws.iam.Role | undefined;
    if (args.researchers.length > 0) {
      researcherRole = peopleRole(
        this,
        `${name}-researcher`,
        `Researchers of study ${args.id}: logged sessions on its workstation (MFA)`,
        args.researchers,
        { ...ctx, tags },
      );
      new aws.iam.RolePolicy(
        `${name}-researcher`,
        {
          role: researcherRole.id,
          policy: pulumi
            .all([workstation.arn, session.arn, bastion?.arn])
            .apply(([instanceArn, sessionDocumentArn, bastionArn]) =>
              JSON.stringify(
                researcherPolicy({
                  partition: args.partition,
                  region: args.region,
                  accountId: args.accountId,
                  instanceArn,
                  sessionDocumentArn,
                  ...(bastionArn ? { bastionArn } : {}),
                }),
              ),
            ),
        },
        child,
      );
    }

    const uploadFunction = this.uploadPipeline(name, args, network, shared);

    return {
      workstation,
      sessionDocument: session,
      researcherRole,
      uploadFunction,
      bastion,
    };
  }

  /** New objects under incoming/ invoke the function, in the VPC, with a dead-letter queue. */
  private uploadPipeline(
    name: string,
    args: EnclaveArgs,
    network: Network,
    shared: {
      keyArn: pulumi.Output<string>;
      functionLogs: aws.cloudwatch.LogGroup;
      tags: Record<string, string>;
      access: pulumi.Output<[string, string, string, string]>;
    },
  ): aws.lambda.Function {
    const child = { parent: this };
    const { keyArn, tags } = shared;
    const topic = new aws.sns.Topic(
      `${name}-uploads`,
      { kmsMasterKeyId: keyArn, tags: { Name: `${name}-uploads`, ...tags } },
      child,
    );
    new aws.sns.TopicPolicy(
      `${name}-uploads`,
      {
        arn: topic.arn,
        policy: topic.arn.apply((arn) =>
          JSON.stringify(uploadTopicPolicy(arn, args.accountId, args.partition)),
        ),
      },
      child,
    );
    (args.notify ?? []).forEach(
      (endpoint, i) =>
        new aws.sns.TopicSubscription(
          `${name}-uploads-${i}`,
          { topic: topic.arn, protocol: "email", endpoint },
          child,
        ),
    );
    const deadLetters = new aws.sqs.Queue(
      `${name}-upload-dlq`,
      {
        kmsMasterKeyId: keyArn,
        // Fourteen days, SQS's longest: time for someone to notice and replay.
        messageRetentionSeconds: 1_209_600,
        tags: { Name: `${name}-upload-dlq`, ...tags },
      },
      child,
    );
    const role = new aws.iam.Role(
      `${name}-upload`,
      {
        name: `${name}-upload`,
        description: `Upload pipeline of study ${args.id}: screen, quarantine, index, notify`,
        assumeRolePolicy: serviceTrust("lambda.amazonaws.com", args.accountId),
        tags: { Name: `${name}-upload`, ...tags },
      },
      child,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-upload`,
      {
        role: role.id,
        policy: pulumi
          .all([shared.access, topic.arn, deadLetters.arn, shared.functionLogs.arn])
          .apply(([[dataInArn, outputArn, key, tableArn], topicArn, queueArn, logGroupArn]) =>
            JSON.stringify(
              uploadFunctionPolicy({
                region: args.region,
                dataInArn,
                outputArn,
                keyArn: key,
                tableArn,
                topicArn,
                queueArn,
                logGroupArn,
              }),
            ),
          ),
      },
      child,
    );
    // Lambda deletes the function's network interfaces with the function's role, after the
    // function is gone, and they hold its group and subnets until then: the group waits for
    // them (custom timeout), and depends on the role's policy so that the role outlives them
    // ("Lambda relies on permissions in the function execution role to delete the Hyperplane
    // ENI", Lambda Developer Guide, configuration-vpc.html).
    const group = endpointOnlyGroup(
      this,
      name,
      network,
      { vpcCidr: args.vpcCidr, tags },
      "upload",
      "Upload function: no inbound, HTTPS to the enclave's endpoints only",
      false,
      { dependsOn: [rolePolicy], customTimeouts: { delete: LAMBDA_NETWORK_RELEASE_TIMEOUT } },
    );
    const uploadFunction = new aws.lambda.Function(
      `${name}-upload`,
      {
        name: `${name}-upload`,
        description: `Screens, indexes and announces uploads to study ${args.id}'s data-in bucket`,
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({
          "index.mjs": new pulumi.asset.FileAsset(UPLOAD_FUNCTION_CODE),
        }),
        role: role.arn,
        timeout: 60,
        memorySize: 256,
        // Unreserved unless asked: a reservation is refused when it would leave the account fewer
        // than 100 unreserved executions.
        ...(args.uploadConcurrency !== undefined
          ? { reservedConcurrentExecutions: args.uploadConcurrency }
          : {}),
        kmsKeyArn: keyArn,
        environment: {
          variables: {
            INDEX_TABLE: this.index.name,
            TOPIC_ARN: topic.arn,
            KMS_KEY_ARN: keyArn,
          },
        },
        vpcConfig: { subnetIds: network.subnetIds.app, securityGroupIds: [group.id] },
        deadLetterConfig: { targetArn: deadLetters.arn },
        loggingConfig: { logFormat: "JSON", logGroup: shared.functionLogs.name },
        tags: { Name: `${name}-upload`, ...tags },
      },
      { ...child, dependsOn: [rolePolicy, shared.functionLogs] },
    );
    const permission = new aws.lambda.Permission(
      `${name}-upload`,
      {
        action: "lambda:InvokeFunction",
        function: uploadFunction.name,
        principal: "s3.amazonaws.com",
        sourceArn: this.dataIn.arn,
        sourceAccount: args.accountId,
      },
      child,
    );
    new aws.s3.BucketNotification(
      `${name}-data-in`,
      {
        bucket: this.dataIn.bucket,
        // The notification is the bucket's whole configuration: without this every update would
        // turn off the EventBridge delivery that AWS Backup for S3 turns on and relies on (its
        // role's managed policy, AWSBackupServiceRolePolicyForS3Backup, puts bucket notifications
        // and AwsBackupManagedRule* EventBridge rules; "Amazon S3 backups", AWS Backup Developer
        // Guide, https://docs.aws.amazon.com/aws-backup/latest/devguide/s3-backups.html).
        eventbridge: true,
        lambdaFunctions: [
          {
            lambdaFunctionArn: uploadFunction.arn,
            events: ["s3:ObjectCreated:*"],
            filterPrefix: INCOMING_PREFIX,
          },
        ],
      },
      { ...child, dependsOn: [permission] },
    );
    return uploadFunction;
  }
}

/**
 * A security group with no inbound rule that sends HTTPS only to the enclave's interface
 * endpoints and, through its gateway endpoints, S3 and DynamoDB; to the internet only when the
 * enclave asked for it.
 */
function endpointOnlyGroup(
  parent: pulumi.Resource,
  name: string,
  network: Network,
  ctx: { vpcCidr: string; tags: Record<string, string> },
  suffix: string,
  description: string,
  internet: boolean,
  opts: pulumi.CustomResourceOptions = {},
): aws.ec2.SecurityGroup {
  const group = new aws.ec2.SecurityGroup(
    `${name}-${suffix}`,
    { vpcId: network.vpcId, description, tags: { Name: `${name}-${suffix}`, ...ctx.tags } },
    { ...opts, parent },
  );
  const rules: [string, Partial<aws.vpc.SecurityGroupEgressRuleArgs>][] = [
    ["endpoints", { cidrIpv4: ctx.vpcCidr, description: "HTTPS to the VPC endpoints" }],
    ["s3", { prefixListId: network.gatewayEndpoints.s3.prefixListId, description: "S3 endpoint" }],
    [
      "dynamodb",
      {
        prefixListId: network.gatewayEndpoints.dynamodb.prefixListId,
        description: "DynamoDB endpoint",
      },
    ],
  ];
  if (internet) {
    rules.push(["internet", { cidrIpv4: "0.0.0.0/0", description: "HTTPS out through NAT" }]);
  }
  for (const [ruleId, rule] of rules) {
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-${suffix}-${ruleId}`,
      { securityGroupId: group.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, ...rule },
      { parent },
    );
  }
  return group;
}

/** A role the named people assume with MFA, for an hour at most (as the IT support personas). */
function peopleRole(
  parent: pulumi.Resource,
  roleName: string,
  description: string,
  principals: readonly string[],
  ctx: { accountId: string; partition: string; tags: Record<string, string> },
): aws.iam.Role {
  return new aws.iam.Role(
    roleName,
    {
      name: roleName,
      description,
      assumeRolePolicy: JSON.stringify(personaTrust(principalArns(principals, ctx), ctx)),
      maxSessionDuration: PERSONA_SESSION_SECONDS,
      tags: { Name: roleName, ...ctx.tags },
    },
    { parent },
  );
}

interface OpenParts {
  readonly workstation: aws.ec2.Instance;
  readonly sessionDocument: aws.ssm.Document;
  readonly researcherRole?: aws.iam.Role;
  readonly uploadFunction: aws.lambda.Function;
  readonly bastion?: aws.ec2.Instance;
}
