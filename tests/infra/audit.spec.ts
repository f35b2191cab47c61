import { expect } from "chai";
import {
  GUARDDUTY_FEATURES,
  SECURITY_HUB_STANDARDS,
  TRAIL_PREFIX,
  archiveBucketPolicy,
} from "../../infra/audit";
import { Evaluation, bothStacks, one, ofType, stack } from "../helpers";

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

  it("lets CloudTrail write only this account's logs under its prefix in the archive", () => {
    const doc = archiveBucketPolicy("arn:aws:s3:::archive", "210987654321");
    const writes = doc.Statement.find((s) => s.Sid === "CloudTrailWrites")!;
    expect(writes.Resource).to.equal(`arn:aws:s3:::archive/${TRAIL_PREFIX}/AWSLogs/210987654321/*`);
    expect(writes.Condition!.StringEquals!["aws:SourceAccount"]).to.equal("210987654321");
  });
});
