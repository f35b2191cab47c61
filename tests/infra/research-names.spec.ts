import { expect } from "chai";
import * as path from "node:path";
import { MAX_ENCLAVE_NAME, enclaveName } from "../../infra/research/names";
import { PROJECT_DIR } from "../../tools/engine";
import { Evaluation, descendants, ofType, stackWith } from "../helpers";

/** The example stack file: ireland with research enclaves (and the deployer they need). */
const EXAMPLE = path.join(PROJECT_DIR, "examples", "research", "Pulumi.ireland.yaml");

/**
 * AWS's longest names, for the resource types an enclave names after itself (with the random
 * suffix Pulumi's autonaming adds where the program gives no name):
 * - backup vault: `^[a-zA-Z0-9\-\_]{2,50}$` ("CreateBackupVault", AWS Backup API Reference,
 *   https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html);
 * - backup selection: 1 to 50 ("BackupSelection",
 *   https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html);
 * - IAM role 64, instance profile 128 ("IAM and AWS STS quotas",
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html);
 * - S3 bucket 63 ("General purpose bucket naming rules",
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html);
 * - Lambda function 64 ("CreateFunction", https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html);
 * - SQS queue 80 ("CreateQueue",
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html);
 * - SNS topic 256 ("CreateTopic", https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html).
 */
const LIMITS: Readonly<Record<string, { readonly field: string; readonly max: number }>> = {
  "aws:backup/vault:Vault": { field: "name", max: 50 },
  "aws:backup/selection:Selection": { field: "name", max: 50 },
  "aws:iam/role:Role": { field: "name", max: 64 },
  "aws:iam/instanceProfile:InstanceProfile": { field: "name", max: 128 },
  "aws:s3/bucket:Bucket": { field: "bucket", max: 63 },
  "aws:lambda/function:Function": { field: "name", max: 64 },
  "aws:sqs/queue:Queue": { field: "name", max: 80 },
  "aws:sns/topic:Topic": { field: "name", max: 256 },
};

/** Types every open enclave with a workstation, stewards and researchers has. */
const ALWAYS = [
  "aws:backup/vault:Vault",
  "aws:backup/selection:Selection",
  "aws:iam/role:Role",
  "aws:s3/bucket:Bucket",
  "aws:lambda/function:Function",
  "aws:sqs/queue:Queue",
];

/** A study id of the longest length the configuration accepts (3 to 12 characters). */
const ID = "longest12345";

describe("ehealth:research:Enclave names", () => {
  // A stack name that makes the enclave's name exactly as long as the configuration allows.
  const stack = "s".repeat(MAX_ENCLAVE_NAME - enclaveName("ehealth-", ID).length);
  const name = enclaveName(`ehealth-${stack}`, ID);
  let evaluation: Evaluation;
  before(async () => {
    evaluation = await stackWith(stack, {
      configFile: EXAMPLE,
      overrides: {
        "ehealth:research": JSON.stringify({
          enclaves: [
            {
              id: ID,
              vpcCidr: "10.60.0.0/20",
              workstation: { instanceType: "m7i.xlarge", dataVolumeGb: 100 },
              stewards: ["user/data-steward"],
              researchers: ["user/researcher-one"],
              bastion: { allowedCidrs: ["198.51.100.0/24"] },
              notify: ["research-office@example.org"],
            },
          ],
        }),
      },
    });
  });

  it("is as long as the configuration allows in this evaluation", () => {
    expect(name).to.have.length(MAX_ENCLAVE_NAME);
  });

  it("gives every resource of the enclave with the longest name a name AWS accepts", () => {
    const root = ofType(evaluation.resources, "ehealth:research:Enclave").find(
      (r) => r.name === name,
    );
    expect(root, `the enclave ${name}`).to.not.equal(undefined);
    const named = descendants(evaluation.resources, root!.urn).filter(
      (r) => r.custom && LIMITS[r.type] && typeof r.outputs[LIMITS[r.type].field] === "string",
    );
    for (const type of ALWAYS) {
      expect(ofType(named, type), `a ${type} of the enclave`).to.not.be.empty;
    }
    const tooLong = named
      .map((r) => ({ type: r.type, value: String(r.outputs[LIMITS[r.type].field]) }))
      .filter(({ type, value }) => value.length > LIMITS[type].max)
      .map(({ type, value }) => `${type} ${value} (${value.length} > ${LIMITS[type].max})`);
    expect(tooLong).to.deep.equal([]);
  });
});
