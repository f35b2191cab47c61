import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import {
  CIS_MONITORS,
  ARCHIVE_COLD_AFTER_DAYS,
  CONFIG_PREFIX,
  CONFIG_RULES,
  HIGH_SEVERITY,
  breakGlassMonitor,
  guardDutyPattern,
  GUARDDUTY_FEATURES,
  SECURITY_HUB_STANDARDS,
} from "../../infra/audit";
import { CONFIG_ROLE_PATH } from "../../infra/keys/policy";
import { PROJECT_DIR, loadProjectFile, loadStackConfig } from "../../tools/engine";
import { MOCK_ACCOUNT_ID } from "../../tools/engine/mocks";
import {
  Evaluation,
  ResourceRecord,
  bothStacks,
  json,
  one,
  ofType,
  stack,
  stackWith,
} from "../helpers";
import { Recorded, decide } from "../access/recorded";

describe("ehealth:audit:Audit", () => {
  for (const stackName of ["ireland", "oregon"]) {
    describe(`in the ${stackName} stack`, () => {
      let evaluation: Evaluation;
      before(async () => {
        evaluation = await stack(stackName);
      });

      it("enables GuardDuty with S3, malware and RDS login protection", () => {
        const detector = one(evaluation.resources, "aws:guardduty/detector:Detector");
        expect(detector.inputs.enable).to.equal(true);
        const features = ofType(
          evaluation.resources,
          "aws:guardduty/detectorFeature:DetectorFeature",
        );
        expect(features.map((f) => f.inputs.name)).to.have.members([...GUARDDUTY_FEATURES]);
        for (const f of features) {
          expect(f.inputs.detectorId).to.equal(detector.outputs.id);
          expect(f.inputs.status).to.equal("ENABLED");
        }
      });

      it("subscribes Security Hub to the foundational and CIS standards of its own region", () => {
        one(evaluation.resources, "aws:securityhub/account:Account");
        const arns = ofType(
          evaluation.resources,
          "aws:securityhub/standardsSubscription:StandardsSubscription",
        ).map((s) => s.inputs.standardsArn);
        expect(arns).to.have.members(
          Object.values(SECURITY_HUB_STANDARDS).map(
            (p) => `arn:aws:securityhub:${evaluation.region}::standards/${p}`,
          ),
        );
      });

      it("keeps a write-once log archive under the logs key, locked in compliance mode for six years", () => {
        const archive = ofType(evaluation.resources, "aws:s3/bucket:Bucket").find(
          (b) => (b.inputs.tags as Record<string, string>).Purpose === "log-archive",
        )!;
        expect(archive.inputs.objectLockEnabled).to.equal(true);
        expect(archive.protect && archive.retainOnDelete).to.equal(true);
        const lock = ofType(
          evaluation.resources,
          "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        ).find((l) => l.inputs.bucket === archive.outputs.bucket)!;
        expect(lock.inputs.rule).to.deep.equal({
          defaultRetention: { mode: "COMPLIANCE", days: 2190 },
        });
        const sse = ofType(
          evaluation.resources,
          "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        ).find((c) => c.inputs.bucket === archive.outputs.bucket)!;
        const logsKey = ofType(evaluation.resources, "aws:kms/key:Key").find(
          (k) => (k.inputs.tags as Record<string, string>).Purpose === "logs",
        )!;
        expect(JSON.stringify(sse.inputs.rules)).to.include(String(logsKey.outputs.arn));
        const logging = ofType(evaluation.resources, "aws:s3/bucketLogging:BucketLogging").find(
          (l) => l.inputs.bucket === archive.outputs.bucket,
        )!;
        const target = ofType(evaluation.resources, "aws:s3/bucket:Bucket").find(
          (b) => b.outputs.bucket === logging.inputs.targetBucket,
        )!;
        expect((target.inputs.tags as Record<string, string>).Purpose).to.equal(
          "archive-access-logs",
        );
      });

      it("keeps every archived log readable in place for Athena and validate-logs: Glacier Instant Retrieval after 90 days, never a class that needs a restore, objects under 128 KB in Standard", () => {
        const archive = ofType(evaluation.resources, "aws:s3/bucket:Bucket").find(
          (b) => (b.inputs.tags as Record<string, string>).Purpose === "log-archive",
        )!;
        const lifecycle = ofType(
          evaluation.resources,
          "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        ).find((l) => l.inputs.bucket === archive.outputs.bucket)!;
        expect(lifecycle.inputs.transitionDefaultMinimumObjectSize).to.equal(
          "all_storage_classes_128K",
        );
        const rules = lifecycle.inputs.rules as {
          transitions?: { days: number; storageClass: string }[];
          noncurrentVersionTransitions?: { storageClass: string }[];
        }[];
        const current = rules.flatMap((r) => r.transitions ?? []);
        expect(current).to.deep.equal([
          { days: ARCHIVE_COLD_AFTER_DAYS, storageClass: "GLACIER_IR" },
        ]);
        expect(ARCHIVE_COLD_AFTER_DAYS).to.equal(90);
        // The archive classes (Flexible Retrieval, Deep Archive) need a restore before any read.
        const classes = [
          ...current,
          ...rules.flatMap((r) => r.noncurrentVersionTransitions ?? []),
        ].map((t) => t.storageClass);
        for (const c of classes) expect(["GLACIER", "DEEP_ARCHIVE"], c).to.not.include(c);
      });

      it("runs an account IAM Access Analyzer", () => {
        expect(
          one(evaluation.resources, "aws:accessanalyzer/analyzer:Analyzer").inputs.type,
        ).to.equal("ACCOUNT");
      });
    });
  }
});

describe("the account's CloudTrail trail", () => {
  const stacks = bothStacks();

  it("exists in the primary only", () => {
    expect(ofType(stacks.ireland.resources, "aws:cloudtrail/trail:Trail")).to.have.length(1);
    expect(ofType(stacks.oregon.resources, "aws:cloudtrail/trail:Trail")).to.deep.equal([]);
  });

  it("covers every region and global service, validates its files, encrypts with the logs key, feeds CloudWatch", () => {
    const trail = one(stacks.ireland.resources, "aws:cloudtrail/trail:Trail");
    expect(trail.inputs).to.include({
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
    });
    const logsKey = ofType(stacks.ireland.resources, "aws:kms/key:Key").find(
      (k) => (k.inputs.tags as Record<string, string>).Purpose === "logs",
    )!;
    expect(trail.inputs.kmsKeyId).to.equal(logsKey.outputs.arn);
    expect(String(trail.inputs.cloudWatchLogsGroupArn)).to.match(
      /:log-group:\/ehealth\/.+\/cloudtrail:\*$/,
    );
  });

  it("records object reads and writes on every PHI bucket of both regions", () => {
    const trail = one(stacks.ireland.resources, "aws:cloudtrail/trail:Trail");
    const selectors = trail.inputs.advancedEventSelectors as {
      fieldSelectors: { field: string; startsWiths?: string[] }[];
    }[];
    const arns = selectors
      .flatMap((s) => s.fieldSelectors)
      .find((f) => f.field === "resources.ARN")!.startsWiths!;
    const phi = (e: Evaluation) =>
      ofType(e.resources, "aws:s3/bucket:Bucket")
        .filter((b) => (b.inputs.tags as Record<string, string>).DataClassification === "PHI")
        .map((b) => `${String(b.outputs.arn)}/`);
    expect(arns).to.have.members([...phi(stacks.ireland), ...phi(stacks.oregon)]);
    expect(arns).to.have.length(9);
  });

  it("is created only after the archive's bucket policy and its log role's policy (CloudTrail checks both at creation)", () => {
    const { resources } = stacks.ireland;
    const trail = one(resources, "aws:cloudtrail/trail:Trail");
    const archive = ofType(resources, "aws:s3/bucket:Bucket").find(
      (b) => (b.inputs.tags as Record<string, string>).Purpose === "log-archive",
    )!;
    const bucketPolicy = ofType(resources, "aws:s3/bucketPolicy:BucketPolicy").find(
      (p) => p.inputs.bucket === archive.outputs.bucket,
    )!;
    const role = ofType(resources, "aws:iam/role:Role").find(
      (r) => r.outputs.arn === trail.inputs.cloudWatchLogsRoleArn,
    )!;
    const rolePolicy = ofType(resources, "aws:iam/rolePolicy:RolePolicy").find(
      (p) => p.inputs.role === role.outputs.id,
    )!;
    expect(trail.dependencies).to.include.members([bucketPolicy.urn, rolePolicy.urn]);
  });
});

/** A bucket of the stack by its Purpose tag. */
function bucketFor(resources: readonly ResourceRecord[], purpose: string): ResourceRecord {
  const found = ofType(resources, "aws:s3/bucket:Bucket").filter(
    (b) => (b.inputs.tags as Record<string, string>).Purpose === purpose,
  );
  if (found.length !== 1) throw new Error(`expected one ${purpose} bucket, found ${found.length}`);
  return found[0];
}

/** The one resource of a type that configures this bucket (its policy, versioning, ...). */
function settingOf(resources: readonly ResourceRecord[], type: string, bucket: ResourceRecord) {
  return ofType(resources, type).filter((r) => r.inputs.bucket === bucket.outputs.bucket);
}

function logsKeyOf(resources: readonly ResourceRecord[]): ResourceRecord {
  return ofType(resources, "aws:kms/key:Key").find(
    (k) => (k.inputs.tags as Record<string, string>).Purpose === "logs",
  )!;
}

describe("AWS Config", () => {
  const stacks = bothStacks();

  for (const name of ["ireland", "oregon"] as const) {
    it(`records every supported resource in ${name}, global ones in the primary only, under AWS Config's service-linked role`, () => {
      const { resources } = stacks[name];
      const recorder = one(resources, "aws:cfg/recorder:Recorder");
      expect(recorder.inputs.recordingGroup).to.deep.include({
        allSupported: true,
        includeGlobalResourceTypes: name === "ireland",
      });
      // Security Hub's Config.1 (critical) requires exactly this role.
      expect(recorder.inputs.roleArn).to.equal(
        `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
      );
      expect(one(resources, "aws:cfg/recorderStatus:RecorderStatus").inputs.isEnabled).to.equal(
        true,
      );
    });

    it(`delivers AWS Config's files in ${name} to a bucket of their own: under the logs key, versioned, private, without Object Lock`, () => {
      const { resources } = stacks[name];
      const channel = one(resources, "aws:cfg/deliveryChannel:DeliveryChannel");
      const bucket = bucketFor(resources, "config-delivery");
      const logsKey = logsKeyOf(resources);
      expect(channel.inputs).to.include({
        s3BucketName: bucket.outputs.bucket,
        s3KeyPrefix: CONFIG_PREFIX,
        s3KmsKeyArn: logsKey.outputs.arn,
      });
      // AWS Config cannot deliver to a bucket with Object Lock default retention.
      expect(bucket.inputs.objectLockEnabled).to.not.equal(true);
      expect(
        settingOf(
          resources,
          "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
          bucket,
        ),
      ).to.deep.equal([]);
      const [sse] = settingOf(
        resources,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        bucket,
      );
      expect(sse.inputs.rules).to.deep.equal([
        {
          applyServerSideEncryptionByDefault: {
            sseAlgorithm: "aws:kms",
            kmsMasterKeyId: logsKey.outputs.arn,
          },
          bucketKeyEnabled: true,
        },
      ]);
      const [versioning] = settingOf(resources, "aws:s3/bucketVersioning:BucketVersioning", bucket);
      expect(versioning.inputs.versioningConfiguration).to.deep.equal({ status: "Enabled" });
      const [block] = settingOf(
        resources,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        bucket,
      );
      expect(block.inputs).to.include({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      // Who may read and write it (TLS only, AWS Config for this account): the access tables below.
      const [policy] = settingOf(resources, "aws:s3/bucketPolicy:BucketPolicy", bucket);
      // The channel is created only once AWS Config may write there.
      expect(channel.dependencies).to.include(policy.urn);
    });

    it(`copies every AWS Config file of ${name} into the locked archive, never its deletions`, () => {
      const { resources } = stacks[name];
      const bucket = bucketFor(resources, "config-delivery");
      const archive = bucketFor(resources, "log-archive");
      const [replication] = settingOf(
        resources,
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        bucket,
      );
      const rules = replication.inputs.rules as {
        filter: { prefix: string };
        deleteMarkerReplication: { status: string };
        sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: string } };
        destination: { bucket: string; encryptionConfiguration: { replicaKmsKeyId: string } };
      }[];
      expect(rules).to.have.length(1);
      expect(rules[0].filter.prefix).to.equal(`${CONFIG_PREFIX}/`);
      expect(rules[0].deleteMarkerReplication.status).to.equal("Disabled");
      expect(rules[0].sourceSelectionCriteria.sseKmsEncryptedObjects.status).to.equal("Enabled");
      expect(rules[0].destination.bucket).to.equal(archive.outputs.arn);
      expect(rules[0].destination.encryptionConfiguration.replicaKmsKeyId).to.equal(
        logsKeyOf(resources).outputs.arn,
      );
      const role = ofType(resources, "aws:iam/role:Role").find(
        (r) => r.outputs.arn === replication.inputs.role,
      )!;
      expect(role.inputs.path).to.equal(CONFIG_ROLE_PATH);
      // What the role may copy, and that it copies no deletion: the access table below, on this role.
      expect(role.name).to.equal(`ehealth-${name}-config-replication`);
      // Both buckets must be versioned before S3 accepts the replication, and no copy may reach
      // the archive before its default retention can lock it.
      for (const b of [bucket, archive]) {
        const [versioning] = settingOf(resources, "aws:s3/bucketVersioning:BucketVersioning", b);
        expect(replication.dependencies).to.include(versioning.urn);
      }
      const [lock] = settingOf(
        resources,
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        archive,
      );
      expect(replication.dependencies).to.include(lock.urn);
    });

    it(`starts recording in ${name} only once every file AWS Config writes is copied into the archive`, () => {
      const { resources } = stacks[name];
      const bucket = bucketFor(resources, "config-delivery");
      const [replication] = settingOf(
        resources,
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        bucket,
      );
      // S3 replicates only objects written after the replication configuration exists ("What
      // does Amazon S3 replicate?"): a file delivered before it would never reach the archive.
      const status = one(resources, "aws:cfg/recorderStatus:RecorderStatus");
      expect(status.inputs.isEnabled).to.equal(true);
      expect(status.dependencies).to.include(replication.urn);
    });
  }

  it("creates AWS Config's service-linked role once in the account, in the stack deployed first, and keeps it when that stack is destroyed", () => {
    const roles = (e: Evaluation) =>
      ofType(e.resources, "aws:iam/serviceLinkedRole:ServiceLinkedRole").filter(
        (r) => r.inputs.awsServiceName === "config.amazonaws.com",
      );
    expect(roles(stacks.ireland)).to.deep.equal([]);
    const [role] = roles(stacks.oregon);
    expect(role.retainOnDelete).to.equal(true);
    expect(role.inputs.customSuffix).to.equal(undefined);
    expect(one(stacks.oregon.resources, "aws:cfg/recorder:Recorder").dependencies).to.include(
      role.urn,
    );
  });

  it("takes every rule name from AWS Config's HIPAA conformance pack", function () {
    const file = path.join(
      PROJECT_DIR,
      "..",
      "shared",
      "reference",
      "aws-config-hipaa-conformance-pack-rules.txt",
    );
    if (!existsSync(file)) {
      // The reference lists live beside the repository on the developers' machines only.
      expect(CONFIG_RULES.every((r) => /^[a-z0-9-]+$/.test(r.name))).to.equal(true);
      return;
    }
    const pack = new Set(
      readFileSync(file, "utf8")
        .split("\n")
        .map((l) => l.trim()),
    );
    for (const rule of CONFIG_RULES) expect(pack.has(rule.name), rule.name).to.equal(true);
  });

  for (const name of ["ireland", "oregon"] as const) {
    it(`deploys the managed rules in ${name}, the account-wide ones in the primary only, once recording runs`, () => {
      const rules = ofType(stacks[name].resources, "aws:cfg/rule:Rule");
      const identifiers = rules.map(
        (r) => (r.inputs.source as { sourceIdentifier: string }).sourceIdentifier,
      );
      const expected = CONFIG_RULES.filter((r) => name === "ireland" || !r.global);
      expect(identifiers).to.have.members(expected.map((r) => r.identifier));
      for (const needed of [
        "ENCRYPTED_VOLUMES",
        "INCOMING_SSH_DISABLED",
        "VPC_FLOW_LOGS_ENABLED",
        "DB_INSTANCE_BACKUP_ENABLED",
      ]) {
        expect(identifiers, needed).to.include(needed);
      }
      if (name === "ireland") {
        expect(identifiers).to.include.members(["CLOUD_TRAIL_ENABLED", "ROOT_ACCOUNT_MFA_ENABLED"]);
      }
      const status = one(stacks[name].resources, "aws:cfg/recorderStatus:RecorderStatus");
      for (const r of rules) expect(r.dependencies, r.name).to.include(status.urn);
    });
  }
});

describe("security alerts", () => {
  const stacks = bothStacks();

  for (const name of ["ireland", "oregon"] as const) {
    it(`send high-severity GuardDuty findings of ${name} to an alert topic under the logs key, emailed to the configured addresses`, () => {
      const { resources } = stacks[name];
      const topic = one(resources, "aws:sns/topic:Topic");
      const logsKey = ofType(resources, "aws:kms/key:Key").find(
        (k) => (k.inputs.tags as Record<string, string>).Purpose === "logs",
      )!;
      expect(topic.inputs.kmsMasterKeyId).to.equal(logsKey.outputs.arn);
      const rules = ofType(resources, "aws:cloudwatch/eventRule:EventRule").filter(
        (r) => json(r.inputs.eventPattern).source?.toString() === "aws.guardduty",
      );
      expect(rules).to.have.length(1);
      const [rule] = rules;
      expect(json(rule.inputs.eventPattern)).to.deep.equal(guardDutyPattern());
      expect(HIGH_SEVERITY).to.equal(7);
      const target = ofType(resources, "aws:cloudwatch/eventTarget:EventTarget").filter(
        (t) => t.inputs.rule === rule.outputs.name,
      );
      expect(target).to.have.length(1);
      expect(target[0].inputs).to.include({ rule: rule.outputs.name, arn: topic.outputs.arn });
      const subscriptions = ofType(resources, "aws:sns/topicSubscription:TopicSubscription");
      const configured = loadStackConfig(
        path.join(PROJECT_DIR, `Pulumi.${name}.yaml`),
        loadProjectFile(PROJECT_DIR),
      )["ehealth:alertEmails"];
      expect(JSON.parse(configured)).to.not.be.empty;
      expect(subscriptions.map((s) => s.inputs.endpoint)).to.deep.equal(JSON.parse(configured));
      for (const s of subscriptions)
        expect(s.inputs).to.include({ protocol: "email", topic: topic.outputs.arn });
    });
  }

  it("raise one alarm per CIS metric on the trail's log group, in the primary, each to the encrypted topic", () => {
    const { resources } = stacks.ireland;
    const trailGroup = ofType(resources, "aws:cloudwatch/logGroup:LogGroup").find((g) =>
      String(g.inputs.name).endsWith("/cloudtrail"),
    )!;
    const topic = one(resources, "aws:sns/topic:Topic");
    const filters = ofType(resources, "aws:cloudwatch/logMetricFilter:LogMetricFilter");
    const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
    for (const monitor of CIS_MONITORS) {
      const filter = filters.find((f) => String(f.inputs.name).endsWith(`-${monitor.id}`));
      expect(filter, monitor.id).to.not.equal(undefined);
      expect(filter!.inputs.logGroupName).to.equal(trailGroup.outputs.name);
      expect(filter!.inputs.pattern).to.equal(monitor.pattern);
      const metric = filter!.inputs.metricTransformation as { name: string; namespace: string };
      const alarm = alarms.filter((a) => a.inputs.metricName === metric.name);
      expect(alarm, monitor.id).to.have.length(1);
      expect(alarm[0].inputs.namespace).to.equal(metric.namespace);
      expect(alarm[0].inputs.alarmActions).to.deep.equal([topic.outputs.arn]);
      expect(alarm[0].inputs.threshold).to.equal(1);
    }
    expect(ofType(stacks.oregon.resources, "aws:cloudwatch/metricAlarm:MetricAlarm")).to.deep.equal(
      [],
    );
  });

  it("cover the CIS monitoring set with balanced filter patterns", () => {
    const ids = CIS_MONITORS.map((m) => m.id);
    expect(ids).to.include.members([
      "unauthorized-api-calls",
      "console-signin-without-mfa",
      "root-account-usage",
      "iam-policy-changes",
      "cloudtrail-changes",
      "console-authentication-failures",
      "kms-key-disable-or-deletion",
      "s3-bucket-policy-changes",
      "config-changes",
      "security-group-changes",
      "nacl-changes",
      "network-gateway-changes",
      "route-table-changes",
      "vpc-changes",
    ]);
    for (const { id, pattern } of [...CIS_MONITORS, breakGlassMonitor("arn:aws:iam::1:role/x")]) {
      let depth = 0;
      for (const c of pattern) {
        depth += c === "(" || c === "{" ? 1 : c === ")" || c === "}" ? -1 : 0;
        expect(depth, id).to.be.at.least(0);
      }
      expect(depth, id).to.equal(0);
      expect(pattern.startsWith("{") && pattern.endsWith("}"), id).to.equal(true);
    }
  });

  for (const name of ["ireland", "oregon"] as const) {
    // Evaluated as AWS does (the preflight's simulator), with what EventBridge really sends: the
    // rule as aws:SourceArn (issue 13.14). The named rules have rows in the table below; this test
    // covers every rule the stack records, so a new one cannot be left unable to publish.
    it(`let every event rule ${name} records publish to its alert topic over TLS`, async () => {
      const { resources } = stacks[name];
      const topic = new Recorded(stacks[name]).topic(`ehealth-${name}-security-alerts`);
      const rules = ofType(resources, "aws:cloudwatch/eventRule:EventRule");
      expect(rules.length).to.be.greaterThan(1);
      for (const rule of rules) {
        const decision = await decide({
          says: rule.name,
          principal: "events.amazonaws.com",
          action: "sns:Publish",
          resource: topic.arn,
          context: { "aws:SecureTransport": "true", "aws:SourceArn": String(rule.outputs.arn) },
          resourcePolicy: topic.policy,
          expect: "Allowed",
        });
        expect(decision, rule.name).to.equal("Allowed");
      }
    });

    it(`route AWS Backup job failures of ${name} (backup, copy, restore) to the alert topic`, () => {
      const { resources } = stacks[name];
      const topic = one(resources, "aws:sns/topic:Topic");
      const rules = ofType(resources, "aws:cloudwatch/eventRule:EventRule");
      const targets = ofType(resources, "aws:cloudwatch/eventTarget:EventTarget");
      const backup = rules.filter(
        (r) => json(r.inputs.eventPattern).source?.toString() === "aws.backup",
      );
      const routed = backup.map((r) =>
        json<{ "detail-type": string[]; detail: object }>(r.inputs.eventPattern),
      );
      expect(routed.map((p) => p["detail-type"]).flat()).to.have.members([
        "Backup Job State Change",
        "Copy Job State Change",
        "Restore Job State Change",
      ]);
      // AWS's examples: backup and copy jobs report `state`, restore jobs `status`.
      const detailOf = (type: string) => routed.find((p) => p["detail-type"][0] === type)!.detail;
      expect(detailOf("Backup Job State Change")).to.deep.equal({
        state: ["FAILED", "ABORTED", "EXPIRED"],
      });
      expect(detailOf("Copy Job State Change")).to.deep.equal({ state: ["FAILED"] });
      expect(detailOf("Restore Job State Change")).to.deep.equal({ status: ["FAILED", "ABORTED"] });
      for (const rule of backup) {
        const to = targets.filter((t) => t.inputs.rule === rule.outputs.name);
        expect(
          to.map((t) => t.inputs.arn),
          rule.name,
        ).to.deep.equal([topic.outputs.arn]);
      }
    });
  }

  it("keep the archive for the configured number of days", async () => {
    const evaluation = await stackWith("oregon", {
      overrides: { "ehealth:archiveRetentionDays": "3650" },
    });
    const lock = one(
      evaluation.resources,
      "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    );
    expect(lock.inputs.rule).to.deep.equal({
      defaultRetention: { mode: "COMPLIANCE", days: 3650 },
    });
  });
});
