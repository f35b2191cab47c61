/**
 * Ordering: where AWS validates one resource against another when it is created, the first must
 * wait for the second. Pulumi orders by references and dependsOn; a missing edge is a race that
 * fails on some deployments and not others.
 */
import { ProgramGraph, Res, block, label, list } from "../graph";
import type { RuleHit, StackRule } from "../types";

const docs = (path: string, title: string) => ({
  title,
  url: `https://docs.aws.amazon.com/${path}`,
});

function waitsFor(
  g: ProgramGraph,
  r: Res,
  others: readonly Res[],
  what: string,
  fix: string,
): RuleHit[] {
  return others
    .filter((o) => !g.dependsOn(r, o))
    .map((o) => ({
      urn: r.urn,
      message: `${label(r)}: does not wait for ${label(o)} (${what}); AWS validates it when ${r.name} is created, so the first deployment can fail. ${fix}`,
    }));
}

export const trailAfterPolicies: StackRule = {
  id: "order-trail-after-bucket-and-role-policies",
  family: "ordering",
  kind: "fails-deploy",
  scope: "stack",
  description:
    "CloudTrail checks the bucket policy (InsufficientS3BucketPolicyException) and the CloudWatch Logs role (InvalidCloudWatchLogsRoleArnException) when the trail is created: the trail waits for both policies.",
  reference: docs(
    "awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html",
    "AWS CloudTrail User Guide: Amazon S3 bucket policy for CloudTrail",
  ),
  check(g) {
    return g.ofType("aws:cloudtrail/trail:Trail").flatMap((trail) => {
      const bucket = g.find(trail.inputs.s3BucketName);
      const policies = bucket
        ? g.referencing(bucket, "aws:s3/bucketPolicy:BucketPolicy", "bucket")
        : [];
      const role = g.find(trail.inputs.cloudWatchLogsRoleArn, "aws:iam/role:Role");
      const rolePolicies = role
        ? [
            ...g.referencing(role, "aws:iam/rolePolicy:RolePolicy", "role"),
            ...g.referencing(role, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "role"),
          ]
        : [];
      return waitsFor(
        g,
        trail,
        [...policies, ...rolePolicies],
        "the bucket policy and the log delivery role's policy",
        "Add them to the trail's dependsOn.",
      );
    });
  },
};

export const configOrder: StackRule = {
  id: "order-config-recorder-channel-rules",
  family: "ordering",
  kind: "fails-deploy",
  scope: "stack",
  description:
    "AWS Config needs the recorder before the delivery channel (NoAvailableConfigurationRecorderException), the channel before the recorder is started (NoAvailableDeliveryChannelException), and a recorder before managed rules.",
  reference: docs(
    "config/latest/APIReference/API_PutDeliveryChannel.html",
    "AWS Config API Reference: PutDeliveryChannel and StartConfigurationRecorder (errors)",
  ),
  check(g) {
    const recorders = g.ofType("aws:cfg/recorder:Recorder");
    const channels = g.ofType("aws:cfg/deliveryChannel:DeliveryChannel");
    return [
      ...channels.flatMap((c) =>
        waitsFor(
          g,
          c,
          recorders,
          "the configuration recorder",
          "Add the recorder to the channel's dependsOn.",
        ),
      ),
      ...g
        .ofType("aws:cfg/recorderStatus:RecorderStatus")
        .flatMap((s) =>
          waitsFor(
            g,
            s,
            channels,
            "the delivery channel",
            "Add the channel to the recorder status's dependsOn.",
          ),
        ),
      ...g
        .ofType("aws:cfg/rule:Rule")
        .flatMap((rule) =>
          waitsFor(
            g,
            rule,
            recorders,
            "the configuration recorder",
            "Add the recorder (or its status) to the rule's dependsOn.",
          ),
        ),
    ];
  },
};

export const replicationAfterVersioning: StackRule = {
  id: "order-replication-after-versioning",
  family: "ordering",
  kind: "fails-deploy",
  scope: "stack",
  description:
    "S3 refuses a replication configuration until the source bucket's versioning is enabled: the configuration waits for the versioning resource.",
  reference: docs(
    "AmazonS3/latest/API/API_PutBucketReplication.html",
    "Amazon S3 API Reference: PutBucketReplication (versioning must be enabled)",
  ),
  check(g) {
    return g.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig").flatMap((config) => {
      const bucket = g.find(config.inputs.bucket);
      if (!bucket) return [];
      const versioning = g
        .ofType(
          "aws:s3/bucketVersioning:BucketVersioning",
          "aws:s3/bucketVersioningV2:BucketVersioningV2",
        )
        .filter((v) => g.find(v.inputs.bucket) === bucket);
      return waitsFor(
        g,
        config,
        versioning,
        "the source bucket's versioning",
        "Add the versioning resource to its dependsOn.",
      );
    });
  },
};

export const listenerAfterValidation: StackRule = {
  id: "order-https-listener-after-certificate-validation",
  family: "ordering",
  kind: "fails-deploy",
  scope: "stack",
  description:
    "A load balancer listener accepts only an issued certificate: with a DNS-validated certificate of the program, the listener takes its ARN from the certificate validation resource (which waits for issuance).",
  reference: docs(
    "acm/latest/userguide/dns-validation.html",
    "AWS Certificate Manager User Guide: DNS validation (the certificate is usable once issued)",
  ),
  check(g) {
    const hits: RuleHit[] = [];
    for (const listener of g.ofType("aws:lb/listener:Listener", "aws:alb/listener:Listener")) {
      const cert = g.find(listener.inputs.certificateArn, "aws:acm/certificate:Certificate");
      if (!cert || cert.inputs.validationMethod !== "DNS") continue;
      const validations = g.referencing(
        cert,
        "aws:acm/certificateValidation:CertificateValidation",
        "certificateArn",
      );
      if (validations.length === 0) {
        hits.push({
          urn: listener.urn,
          message: `${label(listener)}: uses ${label(cert)} (DNS validation) with no aws.acm.CertificateValidation, so the listener is created before the certificate is issued and ELB refuses it; add a CertificateValidation and use its certificateArn.`,
        });
        continue;
      }
      hits.push(
        ...waitsFor(
          g,
          listener,
          validations,
          "the certificate's validation",
          "Use the validation's certificateArn.",
        ),
      );
    }
    return hits;
  },
};

export const notificationAfterPermission: StackRule = {
  id: "order-bucket-notification-after-permission",
  family: "ordering",
  kind: "fails-deploy",
  scope: "stack",
  description:
    'S3 tests every notification destination when the configuration is put ("Unable to validate the following destination configurations"): a Lambda destination\'s invoke permission for s3.amazonaws.com exists and the notification waits for it.',
  reference: docs(
    "AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html",
    "Amazon S3 User Guide: Granting permissions to publish event notification messages to a destination",
  ),
  check(g) {
    const hits: RuleHit[] = [];
    for (const n of g.ofType("aws:s3/bucketNotification:BucketNotification")) {
      for (const fn of list(n.inputs.lambdaFunctions).map(block)) {
        const target = g.find(fn.lambdaFunctionArn, "aws:lambda/function:Function");
        if (!target) continue;
        const permissions = g
          .ofType("aws:lambda/permission:Permission")
          .filter(
            (p) =>
              g.find(p.inputs.function, "aws:lambda/function:Function") === target &&
              p.inputs.principal === "s3.amazonaws.com",
          );
        if (permissions.length === 0) {
          hits.push({
            urn: n.urn,
            message: `${label(n)}: invokes ${label(target)} but no aws.lambda.Permission lets s3.amazonaws.com invoke it; add one (with sourceArn and sourceAccount) and make the notification depend on it.`,
          });
          continue;
        }
        hits.push(
          ...waitsFor(
            g,
            n,
            permissions,
            "the function's invoke permission for S3",
            "Add the permission to the notification's dependsOn.",
          ),
        );
      }
    }
    return hits;
  },
};

export const securityHubStandards: StackRule = {
  id: "order-securityhub-standards-after-account",
  family: "ordering",
  kind: "fails-deploy",
  scope: "stack",
  description:
    "A Security Hub standards subscription needs Security Hub enabled in the account and region first: the subscription waits for the account resource.",
  reference: docs(
    "securityhub/1.0/APIReference/API_BatchEnableStandards.html",
    "AWS Security Hub API Reference: BatchEnableStandards",
  ),
  check(g) {
    const accounts = g.ofType("aws:securityhub/account:Account");
    return g.ofType("aws:securityhub/standardsSubscription:StandardsSubscription").flatMap((s) =>
      waitsFor(
        g,
        s,
        accounts.filter((a) => g.regionOf(a) === g.regionOf(s)),
        "Security Hub's account resource",
        "Add it to the subscription's dependsOn.",
      ),
    );
  },
};

export const loadBalancerAfterLogBucketPolicy: StackRule = {
  id: "order-load-balancer-after-log-bucket-policy",
  family: "ordering",
  kind: "fails-deploy",
  scope: "stack",
  description:
    "Elastic Load Balancing checks that it may write to the access log bucket (it writes a test file) when access logs are enabled: the load balancer waits for that bucket's policy.",
  reference: docs(
    "elasticloadbalancing/latest/application/enable-access-logging.html",
    "Elastic Load Balancing User Guide: Enable access logs for your Application Load Balancer",
  ),
  check(g) {
    return g
      .ofType("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
      .flatMap((lb) => {
        const logs = block(lb.inputs.accessLogs);
        if (logs.enabled === false || !logs.bucket) return [];
        const bucket = g.find(logs.bucket);
        if (!bucket) return [];
        const policies = g.referencing(bucket, "aws:s3/bucketPolicy:BucketPolicy", "bucket");
        return waitsFor(
          g,
          lb,
          policies,
          "its access log bucket's policy",
          "Add the bucket policy to the load balancer's dependsOn.",
        );
      });
  },
};

export const flowLogAfterRolePolicy: StackRule = {
  id: "order-flow-log-after-role-policy",
  family: "ordering",
  kind: "silently-broken",
  scope: "stack",
  description:
    "A flow log that publishes to CloudWatch Logs through a role starts delivering with that role's permissions: created before the role's policy, it starts with an access error.",
  reference: docs(
    "vpc/latest/userguide/flow-logs-troubleshooting.html",
    "Amazon VPC User Guide: Troubleshoot VPC Flow Logs (access error)",
  ),
  check(g) {
    return g.ofType("aws:ec2/flowLog:FlowLog").flatMap((fl) => {
      const role = g.find(
        fl.inputs.iamRoleArn ?? fl.inputs.deliverLogsPermissionArn,
        "aws:iam/role:Role",
      );
      if (!role) return [];
      const policies = [
        ...g.referencing(role, "aws:iam/rolePolicy:RolePolicy", "role"),
        ...g.referencing(role, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "role"),
      ];
      return waitsFor(
        g,
        fl,
        policies,
        "its delivery role's policy",
        "Add the role's policy to the flow log's dependsOn.",
      );
    });
  },
};

export const orderingRules: readonly StackRule[] = [
  trailAfterPolicies,
  configOrder,
  replicationAfterVersioning,
  listenerAfterValidation,
  notificationAfterPermission,
  securityHubStandards,
  loadBalancerAfterLogBucketPolicy,
  flowLogAfterRolePolicy,
];
