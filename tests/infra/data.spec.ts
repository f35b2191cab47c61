import { expect } from "chai";
import { Data, MIN_RETENTION_DAYS, VAULT_LOCK_COOLING_OFF_DAYS } from "../../infra/data";
import { STATEFUL_TYPES } from "../../policy-pack/policies/governance/protectStateful";
import { Evaluation, ResourceRecord, build, json, one, ofType, stack, stackWith } from "../helpers";

type Tags = Record<string, string>;
const keyOf = (e: Evaluation, purpose: string) =>
  ofType(e.resources, "aws:kms/key:Key").find((k) => (k.inputs.tags as Tags).Purpose === purpose)!;

/** Resources whose loss loses patient data or audit evidence, or the keys to read them. */
const MUST_OUTLIVE_THE_STACK = [...STATEFUL_TYPES, "aws:cloudwatch/logGroup:LogGroup"];

describe("ehealth:data:Data", () => {
  for (const stackName of ["ireland", "oregon"]) {
    describe(`in the ${stackName} stack`, () => {
      let evaluation: Evaluation;
      before(async () => {
        evaluation = await stack(stackName);
      });

      it("keeps the upload index under the PHI key, with point-in-time recovery and deletion protection", () => {
        const table = one(evaluation.resources, "aws:dynamodb/table:Table");
        expect(table.inputs.serverSideEncryption).to.deep.equal({
          enabled: true,
          kmsKeyArn: keyOf(evaluation, "phi").outputs.arn,
        });
        expect(table.inputs.pointInTimeRecovery).to.deep.equal({ enabled: true });
        expect(table.inputs.deletionProtectionEnabled).to.equal(true);
        expect((table.inputs.tags as Tags).Backup).to.equal("daily");
      });

      it("encrypts the backup vault with the backups key and locks it in compliance mode after a cooling-off", () => {
        const vault = one(evaluation.resources, "aws:backup/vault:Vault");
        expect(vault.inputs.kmsKeyArn).to.equal(keyOf(evaluation, "backups").outputs.arn);
        expect(vault.inputs.forceDestroy).to.equal(false);
        const lock = one(
          evaluation.resources,
          "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        );
        expect(lock.inputs.backupVaultName).to.equal(vault.outputs.name);
        expect(lock.inputs.minRetentionDays).to.equal(MIN_RETENTION_DAYS);
        expect(lock.inputs.changeableForDays).to.equal(VAULT_LOCK_COOLING_OFF_DAYS);
      });

      it("backs up daily for 35 days and monthly for a year into the vault", () => {
        const plan = one(evaluation.resources, "aws:backup/plan:Plan");
        const rules = plan.inputs.rules as {
          ruleName: string;
          targetVaultName: string;
          lifecycle: { deleteAfter: number };
        }[];
        const vault = one(evaluation.resources, "aws:backup/vault:Vault");
        expect(rules.map((r) => [r.ruleName, r.lifecycle.deleteAfter])).to.deep.equal([
          ["daily", 35],
          ["monthly", 365],
        ]);
        for (const r of rules) expect(r.targetVaultName).to.equal(vault.outputs.name);
      });

      it("selects every resource tagged Backup=daily, through a role only AWS Backup can assume", () => {
        const selection = one(evaluation.resources, "aws:backup/selection:Selection");
        expect(selection.inputs.selectionTags).to.deep.equal([
          { type: "STRINGEQUALS", key: "Backup", value: "daily" },
        ]);
        const role = ofType(evaluation.resources, "aws:iam/role:Role").find(
          (r) => r.outputs.arn === selection.inputs.iamRoleArn,
        )!;
        const trust = json<{ Statement: { Principal: { Service: string } }[] }>(
          role.inputs.assumeRolePolicy,
        );
        expect(trust.Statement.map((s) => s.Principal.Service)).to.deep.equal([
          "backup.amazonaws.com",
        ]);
      });

      it("protects and retains every resource whose loss would lose data (a new store cannot slip in without it)", () => {
        const stores = evaluation.resources.filter((r: ResourceRecord) =>
          MUST_OUTLIVE_THE_STACK.includes(r.type),
        );
        expect(stores.length).to.be.at.least(6);
        for (const r of stores) {
          expect(r.protect, `${r.type} ${r.name} protect`).to.equal(true);
          expect(r.retainOnDelete, `${r.type} ${r.name} retainOnDelete`).to.equal(true);
        }
      });
    });
  }

  it("takes backup retention from config, and drops the vault lock outside prod", async () => {
    const dev = await stackWith("oregon", {
      overrides: {
        "ehealth:environment": "dev",
        "ehealth:dataProtection": "false",
        "ehealth:backupDailyRetentionDays": "14",
        "ehealth:backupMonthlyRetentionDays": "90",
      },
    });
    const rules = one(dev.resources, "aws:backup/plan:Plan").inputs.rules as {
      lifecycle: { deleteAfter: number };
    }[];
    expect(rules.map((r) => r.lifecycle.deleteAfter)).to.deep.equal([14, 90]);
    expect(
      ofType(dev.resources, "aws:backup/vaultLockConfiguration:VaultLockConfiguration"),
    ).to.deep.equal([]);
    expect(one(dev.resources, "aws:dynamodb/table:Table").protect).to.equal(false);
  });

  it("fails when backups would be kept less than a week, or monthly ones shorter than daily ones", () => {
    const args = { phiKeyArn: "phi", backupsKeyArn: "backups", partition: "aws" };
    expect(() => new Data("unit-short", { ...args, dailyRetentionDays: 3 })).to.throw(
      /dailyRetentionDays must be a whole number >= 7, got 3/,
    );
    expect(
      () =>
        new Data("unit-inverted", { ...args, dailyRetentionDays: 35, monthlyRetentionDays: 30 }),
    ).to.throw(/monthlyRetentionDays must be >= dailyRetentionDays \(35\), got 30/);
  });

  it("builds with defaults in-process: a locked vault, a protected table", async () => {
    const { resources } = await build(
      () => new Data("unit-data", { phiKeyArn: "phi", backupsKeyArn: "backups", partition: "aws" }),
    );
    expect(one(resources, "aws:dynamodb/table:Table").protect).to.equal(true);
    expect(
      ofType(resources, "aws:backup/vaultLockConfiguration:VaultLockConfiguration"),
    ).to.have.length(1);
  });
});
