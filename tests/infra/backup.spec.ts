/**
 * AWS Backup as the stacks configure it (issue 13 items 9 to 12): what the plans select is opted
 * in, every selection name is one AWS accepts, every store has one set of recovery points per
 * region, and the restore commands of docs/data.md name outputs the stacks really export.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { backupName, taggedSelection } from "../../infra/data/backup";
import { MAX_ENCLAVE_NAME } from "../../infra/research/names";
import { PROJECT_DIR } from "../../tools/engine";
import { Evaluation, ResourceRecord, build, ofType, stack, stackWith } from "../helpers";

type Tags = Record<string, string>;

/** The AWS Backup resource type of each Pulumi type a plan can select by tag. */
const BACKUP_TYPE_OF: Readonly<Record<string, string>> = {
  "aws:rds/instance:Instance": "RDS",
  "aws:efs/fileSystem:FileSystem": "EFS",
  "aws:s3/bucket:Bucket": "S3",
  "aws:dynamodb/table:Table": "DynamoDB",
  "aws:ebs/volume:Volume": "EBS",
  "aws:ec2/instance:Instance": "EC2",
};

/** AWS Backup's pattern for a selection name (API reference, BackupSelection.SelectionName). */
const SELECTION_NAME = /^[a-zA-Z0-9\-_.]{1,50}$/;

/** The resources each tag selection of a stack picks up. */
function selected(
  evaluation: Evaluation,
): { selection: ResourceRecord; picks: ResourceRecord[] }[] {
  return ofType(evaluation.resources, "aws:backup/selection:Selection").map((selection) => {
    const conditions = selection.inputs.selectionTags as { key: string; value: string }[];
    const picks = evaluation.resources.filter((r) => {
      const tags = (r.inputs.tags ?? {}) as Tags;
      return conditions.every((c) => tags[c.key] === c.value);
    });
    return { selection, picks };
  });
}

const stacks: Record<string, () => Promise<Evaluation>> = {
  ireland: () => stack("ireland"),
  oregon: () => stack("oregon"),
  "ireland with research enclaves": () =>
    stackWith("ireland", {
      configFile: path.join(PROJECT_DIR, "examples", "research", "Pulumi.ireland.yaml"),
    }),
};

describe("AWS Backup (issue 13.9 to 13.12)", () => {
  for (const [label, evaluate] of Object.entries(stacks)) {
    describe(`in ${label}`, () => {
      let evaluation: Evaluation;
      before(async () => {
        evaluation = await evaluate();
      });

      it("opts the region in to every resource type its tag selections pick up", () => {
        const settings = ofType(evaluation.resources, "aws:backup/regionSettings:RegionSettings");
        expect(settings).to.have.length(1);
        const optIn = settings[0].inputs.resourceTypeOptInPreference as Record<string, boolean>;
        const picked = selected(evaluation).flatMap(({ picks }) => picks);
        expect(picked.length).to.be.greaterThan(0);
        for (const resource of picked) {
          const type = BACKUP_TYPE_OF[resource.type];
          expect(type, `${resource.name} (${resource.type}) is selected`).to.be.a("string");
          expect(optIn[type], `${type} (${resource.name})`).to.equal(true);
        }
      });

      it("lets AWS Backup fully manage DynamoDB, so that its recovery points can be copied", () => {
        const [settings] = ofType(evaluation.resources, "aws:backup/regionSettings:RegionSettings");
        const managed = settings.inputs.resourceTypeManagementPreference as Record<string, boolean>;
        expect(managed.DynamoDB).to.equal(true);
        expect(managed.EFS).to.equal(true);
      });

      it("names every selection as AWS Backup accepts", () => {
        for (const selection of ofType(evaluation.resources, "aws:backup/selection:Selection")) {
          expect(String(selection.inputs.name)).to.match(SELECTION_NAME);
        }
      });

      it("gives every selected store one plan and one set of recovery points in its region", () => {
        const plansOf = new Map<string, number>();
        for (const { picks } of selected(evaluation)) {
          for (const r of picks) plansOf.set(r.urn, (plansOf.get(r.urn) ?? 0) + 1);
        }
        for (const [urn, count] of plansOf) expect(count, urn).to.equal(1);
        // EFS automatic backups would be a second set, in an unlocked vault no plan copies.
        for (const policy of ofType(evaluation.resources, "aws:efs/backupPolicy:BackupPolicy")) {
          expect(policy.inputs.backupPolicy).to.deep.equal({ status: "DISABLED" });
        }
        // A replica is the copy: the primary's recovery points of the documents arrive by copy.
        const replicas = ofType(evaluation.resources, "aws:s3/bucket:Bucket").filter((b) =>
          String((b.inputs.tags as Tags).Purpose).endsWith("-replica"),
        );
        for (const replica of replicas)
          expect(plansOf.has(replica.urn), replica.name).to.equal(false);
      });
    });
  }

  it("finds the replicas it leaves out of the plan in the secondary", async () => {
    const oregon = await stack("oregon");
    const replicas = ofType(oregon.resources, "aws:s3/bucket:Bucket").filter((b) =>
      String((b.inputs.tags as Tags).Purpose).endsWith("-replica"),
    );
    expect(replicas).to.have.length(3);
  });

  describe("selection names", () => {
    const longest = (id: string) => `ehealth-ireland-research-${id}`.padEnd(MAX_ENCLAVE_NAME, "x");

    it("derives a name AWS accepts from the longest enclave name the configuration allows", async () => {
      const name = longest("a");
      expect(name).to.have.length(MAX_ENCLAVE_NAME);
      class Holder extends pulumi.ComponentResource {
        constructor() {
          super("test:backup:Holder", "holder");
          taggedSelection(this, name, {
            partition: "aws",
            planId: "plan-1",
            tag: { key: "Backup", value: name },
            description: "test",
          });
        }
      }
      const { resources } = await build(() => new Holder());
      const [selection] = ofType(resources, "aws:backup/selection:Selection");
      expect(String(selection.inputs.name)).to.match(SELECTION_NAME);
    });

    it("keeps short names readable and distinguishes long ones that share a beginning", () => {
      expect(backupName("ehealth-ireland", "tagged")).to.equal("ehealth-ireland-tagged");
      const a = backupName(longest("study01"), "tagged");
      const b = backupName(longest("study02"), "tagged");
      for (const n of [a, b]) expect(n).to.match(SELECTION_NAME);
      expect(a).to.not.equal(b);
      expect(backupName("ehealth ireland/x", "tagged")).to.match(SELECTION_NAME);
    });
  });

  for (const doc of ["docs/data.md", "docs/runbooks/restore.md"]) {
    describe(doc, () => {
      const text = readFileSync(path.join(PROJECT_DIR, ...doc.split("/")), "utf8");
      const named = [...text.matchAll(/pulumi stack output (\w+)/g)].map((m) => m[1]);

      it("names the vault and role a restore needs by the stack outputs that hold them", () => {
        expect(named).to.include.members(["backupVaultName", "backupRoleArn"]);
        // Vault names end in a random suffix: a vault named in the docs can only come from the stack.
        const vaults = [...text.matchAll(/--backup-vault-name\s+(\S+)/g)].map((m) => m[1]);
        expect(vaults).to.not.be.empty;
        for (const v of vaults) expect(v).to.equal('"$vault"');
        const roles = [...text.matchAll(/--iam-role-arn\s+(\S+)/g)].map((m) => m[1]);
        for (const r of roles) expect(r).to.equal('"$role"');
      });

      for (const name of ["ireland", "oregon"]) {
        it(`names only outputs the ${name} stack exports`, async () => {
          const { outputs } = await stack(name);
          for (const output of named) expect(outputs, output).to.have.property(output);
          expect(String(outputs.backupVaultName)).to.match(/^[a-zA-Z0-9\-_]{2,50}$/);
        });
      }
    });
  }
});
