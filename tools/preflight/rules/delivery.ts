/**
 * Delivery: AWS services that write into a bucket, queue or topic of the program check that they
 * may when the writer is created (CloudTrail, S3 event notifications, Elastic Load Balancing), and
 * refuse it otherwise. The destination's resource policy is judged by IAM policy simulation of the
 * service principal's request, with the conditions the service sends.
 */
import { ProgramGraph, Res, block, findAcross, isString, label, list, policyText } from "../graph";
import { PolicyDoc, simulate } from "../iam/simulate";
import type { AccountRule, RuleHit, StackRule } from "../types";
import { BUCKET_TYPES, kmsEncrypted } from "./buckets";

const docs = (path: string, title: string) => ({
  title,
  url: `https://docs.aws.amazon.com/${path}`,
});

/** A resource policy written on a resource itself, or by policy resources that name it. */
interface WrittenPolicy {
  readonly policy: PolicyDoc;
  /** The separate resource that writes it (its creator must wait for it), if any. */
  readonly from?: Res;
}

function policiesOf(
  g: ProgramGraph,
  target: Res,
  separate: readonly { type: string; key: string }[],
): WrittenPolicy[] {
  const out: WrittenPolicy[] = [];
  const inline = policyText(target.inputs.policy);
  if (inline) out.push({ policy: JSON.parse(inline) as PolicyDoc });
  for (const { type, key } of separate) {
    for (const p of g.ofType(type)) {
      const text = policyText(p.inputs.policy);
      if (text && g.find(p.inputs[key]) === target)
        out.push({ policy: JSON.parse(text) as PolicyDoc, from: p });
    }
  }
  return out;
}

/** Whether a service principal's request is allowed by one of the destination's policies. */
async function allowedBy(
  policies: readonly WrittenPolicy[],
  principal: string,
  action: string,
  resource: string,
  context: Record<string, string>,
): Promise<WrittenPolicy | undefined> {
  for (const p of policies) {
    const { decision } = await simulate({
      principal,
      action,
      resource,
      resourcePolicy: p.policy,
      context: { "aws:SecureTransport": "true", ...context },
    });
    if (decision === "Allowed") return p;
  }
  return undefined;
}

const BUCKET_POLICIES = [{ type: "aws:s3/bucketPolicy:BucketPolicy", key: "bucket" }];

/**
 * CloudTrail checks the bucket policy when the trail is created (CreateTrail:
 * InsufficientS3BucketPolicyException): cloudtrail.amazonaws.com may call s3:GetBucketAcl on the
 * bucket and s3:PutObject under AWSLogs/<account>/ with the bucket-owner-full-control ACL.
 */
export const trailBucketPolicy: StackRule = {
  id: "cloudtrail-bucket-policy",
  family: "ordering",
  kind: "fails-deploy",
  scope: "stack",
  description:
    "A trail's bucket policy lets cloudtrail.amazonaws.com call s3:GetBucketAcl on the bucket and s3:PutObject under [prefix/]AWSLogs/<account>/ with the bucket-owner-full-control ACL; CreateTrail fails with InsufficientS3BucketPolicyException otherwise.",
  reference: docs(
    "awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html",
    "AWS CloudTrail User Guide: Amazon S3 bucket policy for CloudTrail",
  ),
  async check(g) {
    const hits: RuleHit[] = [];
    for (const trail of g.ofType("aws:cloudtrail/trail:Trail")) {
      const bucket = g.find(trail.inputs.s3BucketName);
      if (!bucket || !(BUCKET_TYPES as readonly string[]).includes(bucket.type)) continue;
      const region = g.regionOf(trail);
      const trailArn = `arn:${g.partition}:cloudtrail:${region}:${g.accountId}:trail/${g.physicalName(trail)}`;
      const context = { "aws:SourceArn": trailArn, "aws:SourceAccount": g.accountId };
      const bucketArn = String(bucket.outputs.arn);
      const prefix = isString(trail.inputs.s3KeyPrefix) ? `${trail.inputs.s3KeyPrefix}/` : "";
      const objectArn = `${bucketArn}/${prefix}AWSLogs/${g.accountId}/CloudTrail/${region}/2025/01/01/log.json.gz`;
      const policies = policiesOf(g, bucket, BUCKET_POLICIES);
      const refused: string[] = [];
      if (
        !(await allowedBy(
          policies,
          "cloudtrail.amazonaws.com",
          "s3:GetBucketAcl",
          bucketArn,
          context,
        ))
      )
        refused.push(`s3:GetBucketAcl on ${bucketArn}`);
      const put = await allowedBy(policies, "cloudtrail.amazonaws.com", "s3:PutObject", objectArn, {
        ...context,
        "s3:x-amz-acl": "bucket-owner-full-control",
      });
      if (!put) refused.push(`s3:PutObject on ${bucketArn}/${prefix}AWSLogs/${g.accountId}/*`);
      if (refused.length === 0) continue;
      hits.push({
        urn: trail.urn,
        message: `${label(trail)}: the policy of its bucket ${label(bucket)} ${policies.length ? "does not let" : "is missing, so nothing lets"} cloudtrail.amazonaws.com call ${refused.join(" or ")} (with aws:SourceArn ${trailArn}), so CreateTrail fails with InsufficientS3BucketPolicyException; add a bucket policy with both statements and make the trail depend on it.`,
      });
    }
    return hits;
  },
};

/**
 * S3 tests an SQS or SNS destination when the notification configuration is put ("Unable to
 * validate the following destination configurations"): the queue or topic policy lets
 * s3.amazonaws.com send or publish for this bucket, and exists first.
 */
export const notificationDestinationPolicy: StackRule = {
  id: "s3-notification-destination-policy",
  family: "ordering",
  kind: "fails-deploy",
  scope: "stack",
  description:
    "A bucket notification to an SQS queue or SNS topic needs the queue's or topic's policy to let s3.amazonaws.com send (sqs:SendMessage) or publish (sns:Publish) for the bucket, in place before the notification: S3 validates the destination when the configuration is put.",
  reference: docs(
    "AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html",
    "Amazon S3 User Guide: Granting permissions to publish event notification messages to a destination",
  ),
  async check(g) {
    const hits: RuleHit[] = [];
    for (const n of g.ofType("aws:s3/bucketNotification:BucketNotification")) {
      const bucket = g.find(n.inputs.bucket);
      const bucketArn = bucket
        ? String(bucket.outputs.arn)
        : `arn:${g.partition}:s3:::${String(n.inputs.bucket)}`;
      const context = { "aws:SourceArn": bucketArn, "aws:SourceAccount": g.accountId };
      const destinations = [
        ...list(n.inputs.queues).map((q) => ({
          target: g.find(block(q).queueArn, "aws:sqs/queue:Queue"),
          action: "sqs:SendMessage",
          separate: [{ type: "aws:sqs/queuePolicy:QueuePolicy", key: "queueUrl" }],
        })),
        ...list(n.inputs.topics).map((t) => ({
          target: g.find(block(t).topicArn, "aws:sns/topic:Topic"),
          action: "sns:Publish",
          separate: [{ type: "aws:sns/topicPolicy:TopicPolicy", key: "arn" }],
        })),
      ];
      for (const { target, action, separate } of destinations) {
        if (!target) continue;
        const policies = policiesOf(g, target, separate);
        const allowing = await allowedBy(
          policies,
          "s3.amazonaws.com",
          action,
          String(target.outputs.arn),
          context,
        );
        if (!allowing) {
          hits.push({
            urn: n.urn,
            message: `${label(n)}: sends to ${label(target)}, whose policy ${policies.length ? "does not let" : "is missing, so nothing lets"} s3.amazonaws.com call ${action} for ${bucketArn}; S3 refuses the notification configuration ("Unable to validate the following destination configurations"). Add a ${action.startsWith("sqs") ? "queue" : "topic"} policy allowing it (with aws:SourceArn and aws:SourceAccount) and make the notification depend on it.`,
          });
        } else if (allowing.from && !g.dependsOn(n, allowing.from)) {
          hits.push({
            urn: n.urn,
            message: `${label(n)}: does not wait for ${label(allowing.from)}, the policy that lets S3 ${action === "sqs:SendMessage" ? "send to" : "publish to"} ${label(target)}; S3 validates the destination when the notification is created, so the first deployment can fail. Add ${allowing.from.name} to the notification's dependsOn.`,
          });
        }
      }
    }
    return hits;
  },
};

/**
 * Elastic Load Balancing checks its access log bucket when logging is enabled: the bucket is in the
 * load balancer's region, and (for Application Load Balancers) encrypted with SSE-S3 only.
 */
export const loadBalancerLogBucket: AccountRule = {
  id: "elb-access-log-bucket",
  family: "regions",
  kind: "fails-deploy",
  scope: "account",
  description:
    "A load balancer's access log bucket is in the load balancer's region, and an Application Load Balancer's is encrypted with SSE-S3 (the only server-side encryption it supports).",
  reference: docs(
    "elasticloadbalancing/latest/application/enable-access-logging.html",
    "Elastic Load Balancing User Guide: Enable access logs for your Application Load Balancer (bucket requirements)",
  ),
  check(graphs) {
    const hits: RuleHit[] = [];
    for (const g of graphs) {
      for (const lb of g.ofType(
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:alb/loadBalancer:LoadBalancer",
      )) {
        const logs = block(lb.inputs.accessLogs);
        if (logs.enabled === false || !isString(logs.bucket)) continue;
        const found = findAcross(graphs, logs.bucket);
        if (!found || !(BUCKET_TYPES as readonly string[]).includes(found.resource.type)) continue;
        const region = g.regionOf(lb);
        const bucketRegion = found.graph.regionOf(found.resource);
        if (bucketRegion !== region) {
          hits.push({
            urn: lb.urn,
            message: `${label(lb)}: accessLogs.bucket ${label(found.resource)} is in ${bucketRegion}, but the load balancer is in ${region}; Elastic Load Balancing writes access logs only to a bucket of its own region. Use a bucket in ${region}.`,
          });
        }
        const application = (lb.inputs.loadBalancerType ?? "application") === "application";
        if (application && kmsEncrypted(found.graph, found.resource)) {
          hits.push({
            urn: lb.urn,
            message: `${label(lb)}: accessLogs.bucket ${label(found.resource)} has SSE-KMS default encryption; an Application Load Balancer supports only SSE-S3 (AES256) on its log bucket, so enabling access logs fails. Encrypt the log bucket with SSE-S3.`,
          });
        }
      }
    }
    return hits;
  },
};

export const deliveryRules = {
  stack: [trailBucketPolicy, notificationDestinationPolicy] as StackRule[],
  account: [loadBalancerLogBucket] as AccountRule[],
};
