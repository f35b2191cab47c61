import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_TIER, TIER_TAG } from "../identity/personas";
import { secureBucket } from "../data/buckets";
import { serviceTrust } from "../iam";
import { AUTOSCALING_GRANT_OPERATIONS } from "../keys/policy";
import { bastionHost } from "./bastion";
import {
  ALB_LOG_PREFIX,
  APP_PORT,
  AppAccess,
  DEFAULT_UPLOAD_PATH,
  HEALTH_CHECK_PATH,
  TLS_POLICY,
  WAF_REDACTED_HEADERS,
  albLogBucketPolicy,
  amiParameter,
  appInstancePolicy,
  appUserData,
  wafRules,
} from "./policies";
import { PATCH_GROUP_TAG, patchGroupName, patching } from "./patching";

export * from "./policies";
export * from "./placeholder";
export { PATCH_APPROVAL_DAYS, PATCH_GROUP_TAG, patchGroupName } from "./patching";
export { bastionSecurityRules } from "./bastion";

/** Managed policies of every application instance: Session Manager and the CloudWatch agent. */
export const APP_MANAGED_POLICIES = [
  "AmazonSSMManagedInstanceCore",
  "CloudWatchAgentServerPolicy",
] as const;

/** Target-tracking goal: average CPU of the group. */
export const CPU_TARGET_PERCENT = 50;

export interface ComputeArgs {
  readonly region: string;
  readonly partition: string;
  readonly accountId: string;
  readonly vpcId: pulumi.Input<string>;
  readonly vpcCidr: string;
  readonly publicSubnetIds: pulumi.Input<string>[];
  readonly appSubnetIds: pulumi.Input<string>[];
  /** The region's S3 managed prefix list: the bastion's packages and patches come from S3. */
  readonly s3PrefixListId: pulumi.Input<string>;
  /** The app tier's security group (created by the network so data stores can admit it). */
  readonly appSecurityGroup: aws.ec2.SecurityGroup;
  readonly phiKeyArn: pulumi.Input<string>;
  readonly logsKeyArn: pulumi.Input<string>;
  /** Where the ALB log bucket writes its own server access logs. */
  readonly accessLogBucket: aws.s3.Bucket;
  /** The data stores the application uses; the instance role names exactly these. */
  readonly access: pulumi.Input<
    Omit<AppAccess, "partition" | "region" | "accountId" | "phiKeyArn">
  >;
  readonly fileSystemId: pulumi.Input<string>;
  readonly accessPointId: pulumi.Input<string>;
  /** The Route 53 public hosted zone, and the application's name in it. */
  readonly zoneName: string;
  readonly appName: string;
  readonly instanceType: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly wafRateLimit: number;
  /** Where the application takes uploads: the only path the WAF lets bodies over 8 KB reach. @default DEFAULT_UPLOAD_PATH */
  readonly uploadPath?: string;
  readonly logRetentionDays: number;
  readonly bastion: {
    readonly enabled: boolean;
    readonly allowedCidrs: readonly string[];
    readonly instanceType: string;
  };
  /** Protect and retain the log buckets and groups, and keep the load balancer's deletion protection. */
  readonly protect: boolean;
  /**
   * Turn on Amazon Inspector's EC2 scanning for the account. False where the organization's
   * delegated administrator runs Inspector: a member account cannot deactivate it ("Deactivating
   * Amazon Inspector", Amazon Inspector User Guide), so `pulumi destroy` of an enabler would fail.
   * @default true
   */
  readonly inspector?: boolean;
}

/**
 * The web tier (164.312(e)(1), 164.312(a)(1), 164.308(a)(5)(ii)(B)): an internet-facing ALB with a
 * TLS 1.3 HTTPS listener behind a WAF, an Auto Scaling group of hardened instances in the app
 * subnets of every AZ, patching and Inspector scanning, an optional bastion, and a latency record
 * with a health check so the two regions answer for each other.
 */
export class Compute extends pulumi.ComponentResource {
  public readonly loadBalancer: aws.lb.LoadBalancer;
  public readonly group: aws.autoscaling.Group;
  public readonly launchTemplate: aws.ec2.LaunchTemplate;
  public readonly webAcl: aws.wafv2.WebAcl;
  public readonly instanceRole: aws.iam.Role;
  public readonly appUrl: string;
  public readonly bastion?: aws.ec2.Instance;

  constructor(name: string, args: ComputeArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("ehealth:compute:Compute", name, {}, opts);
    const child = { parent: this };
    const keep = { parent: this, protect: args.protect, retainOnDelete: args.protect };
    const fqdn = `${args.appName}.${args.zoneName}`;
    this.appUrl = `https://${fqdn}`;
    const invokeOpts = { parent: this };

    // Certificate, validated in the shared public zone.
    const zone = aws.route53.getZoneOutput({ name: args.zoneName, privateZone: false }, invokeOpts);
    const certificate = new aws.acm.Certificate(
      name,
      { domainName: fqdn, validationMethod: "DNS", tags: { Name: fqdn } },
      child,
    );
    // ACM asks for the same validation record for the same name in every region of an account,
    // so both stacks declare it (allowOverwrite) and neither deletes it: destroying one region's
    // certificate must not delete the record the other region's renewals need. After both stacks
    // are gone the record stays in the zone (docs/compute.md says how to remove it).
    const validationRecord = new aws.route53.Record(
      `${name}-cert-validation`,
      {
        zoneId: zone.zoneId,
        name: certificate.domainValidationOptions[0].resourceRecordName,
        type: certificate.domainValidationOptions[0].resourceRecordType,
        records: [certificate.domainValidationOptions[0].resourceRecordValue],
        ttl: 300,
        allowOverwrite: true,
      },
      { ...child, retainOnDelete: true },
    );
    const validation = new aws.acm.CertificateValidation(
      name,
      { certificateArn: certificate.arn, validationRecordFqdns: [validationRecord.fqdn] },
      child,
    );

    // Security groups: the internet reaches the ALB on 80/443; the ALB reaches only the app port.
    const albGroup = new aws.ec2.SecurityGroup(
      `${name}-alb`,
      {
        vpcId: args.vpcId,
        description:
          "Load balancer: HTTPS (and HTTP to redirect) from the internet, to the app tier only",
        tags: { Name: `${name}-alb` },
      },
      child,
    );
    for (const port of [443, 80]) {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-alb-${port}`,
        {
          securityGroupId: albGroup.id,
          description: port === 443 ? "HTTPS from the internet" : "HTTP, redirected to HTTPS",
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrIpv4: "0.0.0.0/0",
        },
        child,
      );
    }
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-alb-to-app`,
      {
        securityGroupId: albGroup.id,
        description: "To the application (TLS)",
        ipProtocol: "tcp",
        fromPort: APP_PORT,
        toPort: APP_PORT,
        referencedSecurityGroupId: args.appSecurityGroup.id,
      },
      child,
    );
    const appGroupId = args.appSecurityGroup.id;
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-app-from-alb`,
      {
        securityGroupId: appGroupId,
        description: "The application port from the load balancer only",
        ipProtocol: "tcp",
        fromPort: APP_PORT,
        toPort: APP_PORT,
        referencedSecurityGroupId: albGroup.id,
      },
      child,
    );
    // The app reaches its data stores inside the VPC, and AWS APIs and package updates over HTTPS.
    const egress: [string, number, string, string][] = [
      ["postgres", 5432, args.vpcCidr, "PostgreSQL in the data tier"],
      ["cache", 6379, args.vpcCidr, "The cache in the data tier"],
      ["nfs", 2049, args.vpcCidr, "EFS in the data tier"],
      ["https", 443, "0.0.0.0/0", "HTTPS: AWS APIs (endpoints) and package updates (NAT)"],
    ];
    for (const [id, port, cidr, description] of egress) {
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-app-${id}`,
        {
          securityGroupId: appGroupId,
          description,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
        },
        child,
      );
    }

    // Load balancer access logs: SSE-S3 is the only encryption ALB log delivery supports.
    const elbAccount = aws.elb.getServiceAccountOutput({}, invokeOpts);
    const albLogs = secureBucket(this, `${name}-alb-logs`, {
      accessLogBucket: args.accessLogBucket,
      policy: (arn) =>
        elbAccount.arn.apply((elb) => JSON.stringify(albLogBucketPolicy(arn, args.accountId, elb))),
      tags: { Purpose: "alb-access-logs" },
      protect: args.protect,
    });

    this.loadBalancer = new aws.lb.LoadBalancer(
      name,
      {
        name,
        loadBalancerType: "application",
        internal: false,
        subnets: args.publicSubnetIds,
        securityGroups: [albGroup.id],
        dropInvalidHeaderFields: true,
        desyncMitigationMode: "strictest",
        enableDeletionProtection: args.protect,
        accessLogs: { bucket: albLogs.bucket, prefix: ALB_LOG_PREFIX, enabled: true },
        tags: { Name: name },
      },
      // ELB checks the bucket's policy when logging is turned on (it writes ELBAccessLogTestFile
      // and refuses with "Access Denied for bucket" otherwise: "Enable access logs for your
      // Application Load Balancer", Verify bucket permissions,
      // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html;
      // hashicorp/terraform-provider-aws#12010). The policy is a resource of its own: wait for it.
      { ...child, dependsOn: [albLogs, albLogs.bucketPolicy] },
    );
    const targetGroup = new aws.lb.TargetGroup(
      `${name}-app`,
      {
        name: `${name}-app`,
        vpcId: args.vpcId,
        port: APP_PORT,
        protocol: "HTTPS",
        targetType: "instance",
        deregistrationDelay: 30,
        healthCheck: {
          protocol: "HTTPS",
          path: HEALTH_CHECK_PATH,
          matcher: "200",
          interval: 15,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        },
        tags: { Name: `${name}-app` },
      },
      child,
    );
    new aws.lb.Listener(
      `${name}-https`,
      {
        loadBalancerArn: this.loadBalancer.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: TLS_POLICY,
        certificateArn: validation.certificateArn,
        defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
        tags: { Name: `${name}-https` },
      },
      child,
    );
    new aws.lb.Listener(
      `${name}-http`,
      {
        loadBalancerArn: this.loadBalancer.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [
          {
            type: "redirect",
            redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
          },
        ],
        tags: { Name: `${name}-http` },
      },
      child,
    );

    // WAF in front of the load balancer, logging (credentials redacted) to an encrypted group.
    this.webAcl = new aws.wafv2.WebAcl(
      name,
      {
        name,
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        rules: wafRules(args.wafRateLimit, args.uploadPath ?? DEFAULT_UPLOAD_PATH),
        visibilityConfig: {
          cloudwatchMetricsEnabled: true,
          metricName: name,
          sampledRequestsEnabled: true,
        },
        tags: { Name: name },
      },
      child,
    );
    new aws.wafv2.WebAclAssociation(
      name,
      { resourceArn: this.loadBalancer.arn, webAclArn: this.webAcl.arn },
      child,
    );
    // WAF delivers only to log groups whose names start with aws-waf-logs-.
    const wafLogs = new aws.cloudwatch.LogGroup(
      `${name}-waf`,
      {
        name: `aws-waf-logs-${name}`,
        kmsKeyId: args.logsKeyArn,
        retentionInDays: args.logRetentionDays,
        tags: { Name: `aws-waf-logs-${name}` },
      },
      keep,
    );
    new aws.wafv2.WebAclLoggingConfiguration(
      name,
      {
        resourceArn: this.webAcl.arn,
        logDestinationConfigs: [wafLogs.arn],
        redactedFields: WAF_REDACTED_HEADERS.map((header) => ({ singleHeader: { name: header } })),
      },
      child,
    );

    // The instances' identity: Session Manager, the CloudWatch agent, and the exact data access.
    this.instanceRole = new aws.iam.Role(
      `${name}-app`,
      {
        name: `${name}-app`,
        description: "Application instances: Session Manager, CloudWatch agent, their data stores",
        assumeRolePolicy: serviceTrust("ec2.amazonaws.com"),
        managedPolicyArns: APP_MANAGED_POLICIES.map(
          (p) => `arn:${args.partition}:iam::aws:policy/${p}`,
        ),
        tags: { Name: `${name}-app` },
      },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-app-data`,
      {
        role: this.instanceRole.id,
        policy: pulumi.all([args.access, args.phiKeyArn]).apply(([access, phiKeyArn]) =>
          JSON.stringify(
            appInstancePolicy({
              ...access,
              phiKeyArn,
              partition: args.partition,
              region: args.region,
              accountId: args.accountId,
            }),
          ),
        ),
      },
      child,
    );
    const profile = new aws.iam.InstanceProfile(
      `${name}-app`,
      { name: `${name}-app`, role: this.instanceRole.name, tags: { Name: `${name}-app` } },
      child,
    );
    const appLogs = new aws.cloudwatch.LogGroup(
      `${name}-app`,
      {
        name: `/ehealth/${name}/app`,
        kmsKeyId: args.logsKeyArn,
        retentionInDays: args.logRetentionDays,
        tags: { Name: `${name}-app` },
      },
      keep,
    );

    // The latest Amazon Linux 2023 image, looked up at deploy time.
    const ami = aws.ssm.getParameterOutput({ name: amiParameter(args.instanceType) }, invokeOpts);
    const patchGroup = patchGroupName(name);
    const tierTags = { [TIER_TAG]: APP_TIER, [PATCH_GROUP_TAG]: patchGroup };
    this.launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-app`,
      {
        name: `${name}-app`,
        description:
          "Application instances: IMDSv2, encrypted gp3 root under the PHI key, no public IP",
        imageId: ami.value,
        instanceType: args.instanceType,
        iamInstanceProfile: { arn: profile.arn },
        ebsOptimized: "true",
        monitoring: { enabled: true },
        metadataOptions: {
          httpEndpoint: "enabled",
          httpTokens: "required",
          httpPutResponseHopLimit: 1,
          instanceMetadataTags: "enabled",
        },
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: {
              volumeSize: 30,
              volumeType: "gp3",
              encrypted: "true",
              kmsKeyId: args.phiKeyArn,
              deleteOnTermination: "true",
            },
          },
        ],
        networkInterfaces: [
          {
            associatePublicIpAddress: "false",
            deleteOnTermination: "true",
            securityGroups: [appGroupId],
          },
        ],
        userData: pulumi
          .all([args.fileSystemId, args.accessPointId, appLogs.name])
          .apply(([fileSystemId, accessPointId, logGroupName]) =>
            Buffer.from(
              appUserData({ region: args.region, fileSystemId, accessPointId, logGroupName }),
            ).toString("base64"),
          ),
        tagSpecifications: ["instance", "volume"].map((resourceType) => ({
          resourceType,
          tags: { Name: `${name}-app`, ...tierTags },
        })),
        updateDefaultVersion: true,
        tags: { Name: `${name}-app`, ...tierTags },
      },
      child,
    );

    // Auto Scaling launches encrypted volumes with its own service-linked role, which therefore
    // needs a grant on the PHI key; a per-stack suffix keeps the grant this platform's own.
    const scalingRole = new aws.iam.ServiceLinkedRole(
      `${name}-autoscaling`,
      {
        awsServiceName: "autoscaling.amazonaws.com",
        customSuffix: name,
        description: `Auto Scaling for ${name}: launches the app tier with the PHI key`,
      },
      child,
    );
    const grant = new aws.kms.Grant(
      `${name}-autoscaling`,
      {
        keyId: args.phiKeyArn,
        granteePrincipal: scalingRole.arn,
        // Exactly what the PHI key's policy lets a grant to this role allow: one list for both.
        operations: [...AUTOSCALING_GRANT_OPERATIONS],
      },
      child,
    );
    this.group = new aws.autoscaling.Group(
      `${name}-app`,
      {
        name: `${name}-app`,
        vpcZoneIdentifiers: args.appSubnetIds,
        minSize: args.minSize,
        maxSize: args.maxSize,
        // The version number, not "$Latest": a new template version then changes the group, which
        // starts the instance refresh; with "$Latest" it never starts (the provider's
        // instanceRefresh notes, https://www.pulumi.com/registry/packages/aws/api-docs/autoscaling/group/).
        launchTemplate: {
          id: this.launchTemplate.id,
          version: this.launchTemplate.latestVersion.apply(String),
        },
        targetGroupArns: [targetGroup.arn],
        healthCheckType: "ELB",
        healthCheckGracePeriod: 300,
        serviceLinkedRoleArn: scalingRole.arn,
        capacityRebalance: true,
        instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 90 } },
        enabledMetrics: ["GroupInServiceInstances", "GroupDesiredCapacity", "GroupMaxSize"],
        tags: Object.entries({ Name: `${name}-app`, ...tierTags }).map(([key, value]) => ({
          key,
          value,
          propagateAtLaunch: true,
        })),
      },
      { ...child, dependsOn: [grant] },
    );
    new aws.autoscaling.Policy(
      `${name}-app-cpu`,
      {
        autoscalingGroupName: this.group.name,
        policyType: "TargetTrackingScaling",
        targetTrackingConfiguration: {
          predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
          targetValue: CPU_TARGET_PERCENT,
        },
      },
      child,
    );

    patching(this, name, {
      accountId: args.accountId,
      patchGroup,
      inspector: args.inspector ?? true,
    });

    if (args.bastion.enabled) {
      this.bastion = bastionHost(this, name, {
        vpcId: args.vpcId,
        subnetId: args.publicSubnetIds[0],
        allowedCidrs: args.bastion.allowedCidrs,
        instanceType: args.bastion.instanceType,
        appSecurityGroupId: appGroupId,
        phiKeyArn: args.phiKeyArn,
        partition: args.partition,
        // Session Manager through the VPC's interface endpoints; packages, the SSM agent and
        // patch baselines from S3 (Amazon Linux 2023's repositories are S3 buckets).
        httpsEgress: [
          { cidrIpv4: args.vpcCidr, description: "HTTPS to the VPC endpoints (Session Manager)" },
          { prefixListId: args.s3PrefixListId, description: "HTTPS to S3: packages and patches" },
        ],
        patchGroup,
      });
    }

    // Each region publishes its own latency record; the health check takes it out when it fails.
    const health = new aws.route53.HealthCheck(
      name,
      {
        type: "HTTPS",
        fqdn: this.loadBalancer.dnsName,
        resourcePath: HEALTH_CHECK_PATH,
        port: 443,
        requestInterval: 30,
        failureThreshold: 3,
        measureLatency: true,
        // Explicit, so that `pulumi up --refresh` undoes an inversion made by hand during a
        // forced failover (docs/runbooks/failover.md).
        invertHealthcheck: false,
        tags: { Name: `${name}-alb` },
      },
      child,
    );
    new aws.route53.Record(
      `${name}-app`,
      {
        zoneId: zone.zoneId,
        name: fqdn,
        type: "A",
        setIdentifier: args.region,
        latencyRoutingPolicies: [{ region: args.region }],
        healthCheckId: health.id,
        aliases: [
          {
            name: this.loadBalancer.dnsName,
            zoneId: this.loadBalancer.zoneId,
            evaluateTargetHealth: true,
          },
        ],
      },
      child,
    );

    this.registerOutputs({
      albDnsName: this.loadBalancer.dnsName,
      appUrl: this.appUrl,
      appSecurityGroupId: appGroupId,
    });
  }
}
