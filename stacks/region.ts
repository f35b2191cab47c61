/**
 * The regional composition: everything one stack deploys, from its validated configuration.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Audit } from "../infra/audit";
import { Compute, patchGroupName } from "../infra/compute";
import { Identity, personaRoleName } from "../infra/identity";
import { Data, Replication, ReplicationTarget } from "../infra/data";
import { Keys } from "../infra/keys";
import { Network } from "../infra/network";
import { Enclave, enclaveName } from "../infra/research";
import { stackCreates } from "../infra/organization";
import { ConfigError, StackConfig } from "./config";

export interface RegionStack {
  readonly provider: aws.Provider;
  readonly keys: Keys;
  readonly network: Network;
  readonly data: Data;
  readonly audit: Audit;
  readonly identity: Identity;
  readonly compute: Compute;
  /** The research enclaves, by project identifier. */
  readonly enclaves: Readonly<Record<string, Enclave>>;
  readonly availabilityZones: readonly string[];
  /** The stack outputs. */
  readonly outputs: Record<string, unknown>;
}

/** The prefix of every child name: stable for the life of the stack (renames replace resources). */
export function namePrefix(config: StackConfig): string {
  return `${config.project}-${config.stack}`;
}

export async function deployRegion(config: StackConfig): Promise<RegionStack> {
  const prefix = namePrefix(config);
  // One explicit provider per stack: its region comes from validated config and its default tags
  // reach every resource, so cost and audit reports can attribute each one to a project and stack.
  const provider = new aws.Provider(prefix, {
    region: config.region,
    defaultTags: { tags: { ...config.tags } },
  });
  const invokeOpts = { provider };
  const [identity, partition, zones] = await Promise.all([
    aws.getCallerIdentity({}, invokeOpts),
    aws.getPartition({}, invokeOpts),
    // Availability Zones only: an account opted in to Local Zones or Wavelength Zones gets those
    // too (us-west-2-lax-1a sorts before us-west-2a), and they lack the services the tiers need.
    // Only AZs have opt-in-status "opt-in-not-required" (EC2 API Reference, AvailabilityZone:
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AvailabilityZone.html).
    aws.getAvailabilityZones(
      {
        state: "available",
        filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
      },
      invokeOpts,
    ),
  ]);
  const available = [...zones.names].sort();
  if (available.length < config.azCount) {
    throw new ConfigError([
      `ehealth:azCount "${config.azCount}" is more than the ${available.length} AZs this account has in ${config.region} (${available.join(", ")}): use ${available.length}`,
    ]);
  }
  const availabilityZones = available.slice(0, config.azCount);
  const opts: pulumi.ComponentResourceOptions = { providers: [provider] };

  // The logs key lets auditors read the log buckets, which the audit component creates later with
  // that key: their ARNs reach the key's policy once they exist (no resource waits on itself: the
  // buckets do not depend on the key, only their encryption settings do).
  const [logArchiveBucketArns, resolveLogArchiveBucketArns] = pulumi.deferredOutput<string[]>();
  const keys = new Keys(
    prefix,
    {
      accountId: identity.accountId,
      partition: partition.partition,
      region: config.region,
      aliasPrefix: prefix,
      logArchiveBucketArns,
      protect: config.dataProtection,
    },
    opts,
  );

  const network = new Network(
    prefix,
    {
      vpcCidr: config.vpcCidr,
      availabilityZones,
      region: config.region,
      accountId: identity.accountId,
      partition: partition.partition,
      logsKeyArn: keys.logsKeyArn,
      natGateways: config.natGateways,
      flowLogRetentionDays: config.flowLogRetentionDays,
      sshSources: config.bastion.enabled ? config.bastion.allowedCidrs : [],
      protect: config.dataProtection,
    },
    opts,
  );

  // The primary reads its disaster-recovery target from the other region's stack.
  const replication: Replication = config.primary
    ? {
        role: "source",
        target: new pulumi.StackReference(config.replicationStack!).requireOutput(
          "replication",
        ) as pulumi.Output<ReplicationTarget>,
      }
    : { role: "target" };
  const data = new Data(
    prefix,
    {
      phiKeyArn: keys.phiKeyArn,
      backupsKeyArn: keys.backupsKeyArn,
      partition: partition.partition,
      accountId: identity.accountId,
      logsKeyArn: keys.logsKeyArn,
      vpcId: network.vpcId,
      dataSubnetIds: network.subnetIds.data,
      appSubnetIds: network.subnetIds.app,
      cacheEngine: config.cacheEngine,
      replication,
      appSecurityGroupId: network.appSecurityGroup.id,
      dbInstanceClass: config.database.instanceClass,
      dbBackupRetentionDays: config.database.backupRetentionDays,
      multiAz: config.environment !== "dev",
      logRetentionDays: config.flowLogRetentionDays,
      dailyRetentionDays: config.backupRetentionDays.daily,
      monthlyRetentionDays: config.backupRetentionDays.monthly,
      vaultLock: config.environment === "prod",
      protect: config.dataProtection,
    },
    opts,
  );

  // One enclave per approved study, in this region, each in a VPC of its own.
  const enclaves: Record<string, Enclave> = {};
  for (const study of config.research.enclaves) {
    enclaves[study.id] = new Enclave(
      enclaveName(prefix, study.id),
      {
        id: study.id,
        status: study.status,
        purge: study.purge,
        ...(study.irbProtocol ? { irbProtocol: study.irbProtocol } : {}),
        region: config.region,
        accountId: identity.accountId,
        partition: partition.partition,
        vpcCidr: study.vpcCidr,
        availabilityZones,
        logsKeyArn: keys.logsKeyArn,
        logRetentionDays: config.flowLogRetentionDays,
        backupRetentionDays: config.backupRetentionDays.daily,
        workstation: study.workstation,
        stewards: study.stewards,
        researchers: study.researchers,
        internetAccess: study.internetAccess,
        bastionCidrs: study.bastionCidrs,
        notify: study.notify,
        ...(study.uploadConcurrency !== undefined
          ? { uploadConcurrency: study.uploadConcurrency }
          : {}),
        // config refuses enclaves without it
        deployerArn: config.deployerArn!,
        patchGroup: patchGroupName(prefix),
        protect: config.dataProtection,
      },
      opts,
    );
  }
  const researchArns = pulumi
    .all(Object.values(enclaves).map((e) => e.phiBucketArns))
    .apply((lists) => lists.flat());

  // The trail records object reads and writes on every PHI bucket: this region's documents and
  // enclaves, and the other region's documents, replicas and enclaves (read from the same stack
  // reference).
  const ownPhi = Object.values(data.documents).map((b) => b.arn);
  const regionPhi = pulumi
    .all([pulumi.all(ownPhi), researchArns])
    .apply(([own, research]) => [...own, ...research]);
  const phiBucketArns =
    replication.role === "source"
      ? pulumi
          .all([regionPhi, pulumi.output(replication.target)])
          .apply(([own, target]) => [...own, ...target.phiBucketArns])
      : regionPhi;
  const audit = new Audit(
    prefix,
    {
      region: config.region,
      partition: partition.partition,
      accountId: identity.accountId,
      logsKeyArn: keys.logsKeyArn,
      primary: config.primary,
      phiBucketArns,
      archiveLockMode: config.environment === "prod" ? "COMPLIANCE" : "GOVERNANCE",
      archiveRetentionDays: config.archiveRetentionDays,
      alertEmails: config.alertEmails,
      alertRoutes: data.alertRoutes,
      ...(config.primary && config.personas.breakGlass.length > 0
        ? {
            breakGlassRoleArn: `arn:${partition.partition}:iam::${identity.accountId}:role/${personaRoleName(prefix, "breakGlass")}`,
          }
        : {}),
      logRetentionDays: config.flowLogRetentionDays,
      protect: config.dataProtection,
      organizationServices: config.organizationServices,
    },
    opts,
  );
  // Every bucket that holds logs under the logs key: today the archive (AWS Config delivers there).
  // Auditors read AWS Config's files in the archive (copies) and in the Config bucket itself.
  resolveLogArchiveBucketArns(
    pulumi.all([audit.archive.arn, ...(audit.configBucket ? [audit.configBucket.arn] : [])]),
  );

  const compute = new Compute(
    prefix,
    {
      region: config.region,
      partition: partition.partition,
      accountId: identity.accountId,
      vpcId: network.vpcId,
      vpcCidr: config.vpcCidr,
      publicSubnetIds: network.subnetIds.public,
      appSubnetIds: network.subnetIds.app,
      s3PrefixListId: network.gatewayEndpoints.s3.prefixListId,
      appSecurityGroup: network.appSecurityGroup,
      phiKeyArn: keys.phiKeyArn,
      logsKeyArn: keys.logsKeyArn,
      accessLogBucket: data.accessLogs,
      access: pulumi
        .all([
          pulumi.all(ownPhi),
          pulumi.all(data.replicas.map((b) => b.arn)),
          data.fileSystem.arn,
          data.accessPoint.arn,
          data.database.resourceId,
          data.cache.arn,
          data.cacheUser.arn,
          data.uploadIndex.arn,
        ])
        .apply(([documentBucketArns, replicaBucketArns, fs, ap, db, cache, cacheUser, index]) => ({
          documentBucketArns,
          replicaBucketArns,
          fileSystemArn: fs,
          accessPointArn: ap,
          dbResourceId: db,
          cacheArn: cache,
          cacheUserArn: cacheUser,
          uploadIndexArn: index,
        })),
      fileSystemId: data.fileSystem.id,
      accessPointId: data.accessPoint.id,
      zoneName: config.dns.zone,
      appName: config.dns.appName,
      instanceType: config.app.instanceType,
      minSize: config.app.minSize,
      maxSize: config.app.maxSize,
      wafRateLimit: config.app.wafRateLimit,
      logRetentionDays: config.flowLogRetentionDays,
      bastion: config.bastion,
      inspector: stackCreates(config.organizationServices, "inspector"),
      protect: config.dataProtection,
    },
    opts,
  );
  const appUrl = compute.appUrl;
  const accountIdentity = new Identity(
    prefix,
    {
      partition: partition.partition,
      accountId: identity.accountId,
      phiKeyArn: keys.phiKeyArn,
      primary: config.primary,
      appUrl,
      personas: config.personas,
      phiBucketArns,
      protect: config.dataProtection,
      organizationServices: config.organizationServices,
    },
    opts,
  );

  const outputs = {
    region: config.region,
    environment: config.environment,
    primary: config.primary,
    availabilityZones,
    vpcId: network.vpcId,
    vpcCidr: config.vpcCidr,
    subnetIds: network.subnetIds,
    routeTableIds: network.routeTableIds,
    natGatewayIds: network.natGateways.map((n) => n.id),
    flowLogGroupArn: network.flowLogGroup.arn,
    keyArns: { phi: keys.phiKeyArn, logs: keys.logsKeyArn, backups: keys.backupsKeyArn },
    documentBuckets: Object.fromEntries(
      Object.entries(data.documents).map(([kind, b]) => [kind, { name: b.bucket, arn: b.arn }]),
    ),
    database: { endpoint: data.database.endpoint, port: data.database.port },
    fileSystem: { id: data.fileSystem.id, accessPointId: data.accessPoint.id },
    cache: { endpoint: data.cache.primaryEndpointAddress, user: data.cacheUser.userName },
    uploadIndex: { name: data.uploadIndex.name, arn: data.uploadIndex.arn },
    // The secondary's offer to the primary (read by its StackReference), with its enclaves' buckets
    // for the account trail.
    ...(data.replicationTarget
      ? {
          replication: pulumi
            .all([data.replicationTarget, researchArns])
            .apply(([target, research]) => ({
              ...target,
              phiBucketArns: [...target.phiBucketArns, ...research],
            })),
        }
      : {}),
    // The vault and role restores name (docs/data.md): the vault's name has a random suffix.
    backupVaultName: data.vault.name,
    backupVaultArn: data.vault.arn,
    backupRoleArn: data.backupRole.arn,
    appUrl,
    albDnsName: compute.loadBalancer.dnsName,
    appSecurityGroupId: network.appSecurityGroup.id,
    ...(compute.bastion ? { bastionPublicIp: compute.bastion.publicIp } : {}),
    alertTopicArn: audit.alertTopic.arn,
    signIn: {
      userPoolId: accountIdentity.userPool.id,
      webClientId: accountIdentity.webClient.id,
      domain: accountIdentity.authDomain.domain,
    },
    personaRoles: Object.fromEntries(
      Object.entries(accountIdentity.personaRoles).map(([p, role]) => [p, role.arn]),
    ),
    research: Object.fromEntries(
      Object.entries(enclaves).map(([id, e]) => [
        id,
        {
          status: e.status,
          keyArn: e.key.arn,
          dataInBucket: e.dataIn.bucket,
          outputBucket: e.output.bucket,
          logsBucket: e.logs.bucket,
          uploadIndex: e.index.name,
          // Restores name the vault (its name has a random suffix) and the role (runbooks/restore.md).
          backupVaultName: e.vault.name,
          backupRoleArn: e.backupRole.arn,
          ...(e.stewardRole ? { stewardRoleArn: e.stewardRole.arn } : {}),
          ...(e.workstation ? { workstationId: e.workstation.id } : {}),
          ...(e.sessionDocument ? { sessionDocument: e.sessionDocument.name } : {}),
          ...(e.researcherRole ? { researcherRoleArn: e.researcherRole.arn } : {}),
          ...(e.bastion ? { bastionPublicIp: e.bastion.publicIp } : {}),
        },
      ]),
    ),
  };
  return {
    provider,
    keys,
    network,
    data,
    audit,
    identity: accountIdentity,
    compute,
    enclaves,
    availabilityZones,
    outputs,
  };
}
