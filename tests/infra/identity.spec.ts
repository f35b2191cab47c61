import { expect } from "chai";
import {
  PASSWORD_POLICY,
  domainPrefix,
  personaBoundary,
  personaPolicy,
  personaRoleName,
  principalArns,
} from "../../infra/identity";
import { PERSONA_NAMES } from "../../stacks/config";
import { bothStacks, json, one, ofType, stackWith } from "../helpers";
import { isAllowed } from "../helpers/iam";

describe("ehealth:identity:Identity", () => {
  const stacks = bothStacks();

  it("encrypts every new EBS volume with the region's PHI key, in both regions", () => {
    for (const evaluation of [stacks.ireland, stacks.oregon]) {
      expect(
        one(evaluation.resources, "aws:ebs/encryptionByDefault:EncryptionByDefault").inputs.enabled,
      ).to.equal(true);
      const phi = ofType(evaluation.resources, "aws:kms/key:Key").find(
        (k) => (k.inputs.tags as Record<string, string>).Purpose === "phi",
      )!;
      expect(
        one(evaluation.resources, "aws:ebs/defaultKmsKey:DefaultKmsKey").inputs.keyArn,
      ).to.equal(phi.outputs.arn);
    }
  });

  it("sets the account password policy once, in the primary: 14 characters, all classes, 24 remembered, 90 days", () => {
    const policy = one(
      stacks.ireland.resources,
      "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
    );
    expect(policy.inputs).to.deep.include({ ...PASSWORD_POLICY });
    expect(policy.inputs.minimumPasswordLength).to.be.at.least(14);
    expect(
      ofType(stacks.oregon.resources, "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"),
    ).to.deep.equal([]);
  });
});

describe("the patient and care-provider sign-in (Cognito)", () => {
  const stacks = bothStacks();

  for (const name of ["ireland", "oregon"] as const) {
    it(`demands TOTP MFA, enforced threat protection and 14-character passwords in ${name}`, () => {
      const pool = one(stacks[name].resources, "aws:cognito/userPool:UserPool");
      expect(pool.inputs).to.include({
        mfaConfiguration: "ON",
        deletionProtection: "ACTIVE",
        userPoolTier: "PLUS",
      });
      expect(pool.inputs.softwareTokenMfaConfiguration).to.deep.equal({ enabled: true });
      expect(pool.inputs.userPoolAddOns).to.deep.equal({ advancedSecurityMode: "ENFORCED" });
      const password = pool.inputs.passwordPolicy as Record<string, unknown>;
      expect(password.minimumLength).to.be.at.least(14);
      expect(password).to.include({
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
      });
      expect(pool.inputs.autoVerifiedAttributes).to.deep.equal(["email"]);
      expect(pool.protect && pool.retainOnDelete).to.equal(true);
    });

    it(`has the patients and care-providers groups, and a hosted domain, in ${name}`, () => {
      const pool = one(stacks[name].resources, "aws:cognito/userPool:UserPool");
      const groups = ofType(stacks[name].resources, "aws:cognito/userGroup:UserGroup");
      expect(groups.map((g) => g.inputs.name)).to.have.members(["patients", "care-providers"]);
      for (const g of groups) expect(g.inputs.userPoolId).to.equal(pool.outputs.id);
      const domain = one(stacks[name].resources, "aws:cognito/userPoolDomain:UserPoolDomain");
      expect(domain.inputs.userPoolId).to.equal(pool.outputs.id);
      expect(String(domain.inputs.domain)).to.not.match(/aws|amazon|cognito/);
    });

    it(`gives the web front end a public client with the code flow and short-lived tokens in ${name}`, () => {
      const client = one(stacks[name].resources, "aws:cognito/userPoolClient:UserPoolClient");
      const appUrl = stacks[name].outputs.appUrl as string;
      expect(appUrl).to.match(/^https:\/\/portal\./);
      expect(client.inputs).to.include({
        generateSecret: false,
        allowedOauthFlowsUserPoolClient: true,
        preventUserExistenceErrors: "ENABLED",
        enableTokenRevocation: true,
      });
      expect(client.inputs.allowedOauthFlows).to.deep.equal(["code"]);
      expect(client.inputs.callbackUrls).to.deep.equal([`${appUrl}/auth/callback`]);
      for (const url of client.inputs.logoutUrls as string[])
        expect(url.startsWith(appUrl)).to.equal(true);
      expect(client.inputs.explicitAuthFlows).to.not.include("ALLOW_USER_PASSWORD_AUTH");
      const units = client.inputs.tokenValidityUnits as Record<string, string>;
      expect(units.accessToken).to.equal("minutes");
      expect(client.inputs.accessTokenValidity as number).to.be.at.most(60);
      expect(client.inputs.idTokenValidity as number).to.be.at.most(60);
    });
  }

  it("refuses a domain prefix Cognito would refuse, naming the key to change", () => {
    expect(() => domainPrefix("amazonia-ireland", "123456789012")).to.throw(/ehealth:projectTag/);
    expect(domainPrefix("ehealth-ireland", "123456789012")).to.equal(
      "ehealth-ireland-auth-123456789012",
    );
  });
});

const ctx = {
  partition: "aws",
  accountId: "210987654321",
  phiBucketArns: ["arn:aws:s3:::ehealth-ireland-records", "arn:aws:s3:::ehealth-oregon-records"],
};
const RECORD = "arn:aws:s3:::ehealth-ireland-records/patients/p-1/visit.pdf";
const PHI_KEY = "arn:aws:kms:eu-west-1:210987654321:key/phi";

function rights(persona: "support" | "dba" | "sysadmin") {
  const policy = personaPolicy(persona, ctx);
  const boundary = personaBoundary(persona, ctx);
  return (action: string, resource: string, context = {}) =>
    isAllowed(policy, boundary, action, resource, context);
}

describe("infra/identity/personas", () => {
  it("keeps full ARNs and expands account-relative names", () => {
    expect(
      principalArns(["role/oncall/dba", "arn:aws:iam::111122223333:user/x"], ctx),
    ).to.deep.equal([
      "arn:aws:iam::210987654321:role/oncall/dba",
      "arn:aws:iam::111122223333:user/x",
    ]);
  });

  it("lets the sysadmin run the app tier's instances, sessions and patches, with no IAM and no PHI", () => {
    const sysadmin = rights("sysadmin");
    const instance = "arn:aws:ec2:eu-west-1:210987654321:instance/i-0abc";
    expect(sysadmin("ec2:RebootInstances", instance, { "aws:ResourceTag/Tier": "app" })).to.equal(
      true,
    );
    expect(
      sysadmin("ec2:RebootInstances", instance, { "aws:ResourceTag/Tier": "research" }),
    ).to.equal(false);
    expect(sysadmin("ssm:StartSession", instance, { "ssm:resourceTag/Tier": "app" })).to.equal(
      true,
    );
    const push = "ec2-instance-connect:SendSSHPublicKey";
    const key = (tags: Record<string, string>, user: string) =>
      sysadmin(push, instance, { ...tags, "ec2:osuser": user });
    expect(key({ "aws:ResourceTag/Role": "bastion" }, "ec2-user")).to.equal(true);
    expect(key({ "aws:ResourceTag/Tier": "app" }, "ec2-user")).to.equal(true);
    expect(key({ "aws:ResourceTag/Tier": "app" }, "root")).to.equal(false);
    expect(key({ "aws:ResourceTag/Tier": "research" }, "ec2-user")).to.equal(false);
    expect(sysadmin("iam:PutRolePolicy", "arn:aws:iam::210987654321:role/x")).to.equal(false);
    expect(sysadmin("s3:GetObject", RECORD)).to.equal(false);
    expect(
      sysadmin("kms:Decrypt", PHI_KEY, { "kms:ViaService": "ec2.eu-west-1.amazonaws.com" }),
    ).to.equal(false);
  });

  it("refuses every persona, break-glass included, the actions that silence the audit record", () => {
    for (const persona of PERSONA_NAMES) {
      const boundary = personaBoundary(persona, ctx);
      const admin = {
        Version: "2012-10-17" as const,
        Statement: [{ Effect: "Allow" as const, Action: "*", Resource: "*" }],
      };
      expect(isAllowed(admin, boundary, "ec2:DescribeInstances", "*"), persona).to.equal(true);
      for (const action of [
        "cloudtrail:StopLogging",
        "logs:DeleteLogGroup",
        "kms:ScheduleKeyDeletion",
      ]) {
        expect(isAllowed(admin, boundary, action, "*"), `${persona} ${action}`).to.equal(false);
      }
    }
    const breakGlass = personaBoundary("breakGlass", ctx);
    const admin = {
      Version: "2012-10-17" as const,
      Statement: [{ Effect: "Allow" as const, Action: "*", Resource: "*" }],
    };
    expect(isAllowed(admin, breakGlass, "s3:GetObject", RECORD)).to.equal(true);
  });

  it("names the persona roles predictably", () => {
    expect(personaRoleName("ehealth-ireland", "breakGlass")).to.equal(
      "ehealth-ireland-break-glass",
    );
    expect(personaRoleName("ehealth-ireland", "dba")).to.equal("ehealth-ireland-dba");
  });
});

describe("the IT support persona roles", () => {
  const stacks = bothStacks();

  it("exist in the primary only, one per configured persona, each with MFA trust, one-hour sessions and a boundary", () => {
    expect(
      ofType(stacks.oregon.resources, "aws:iam/role:Role").filter(
        (r) => (r.inputs.tags as Record<string, string>).Persona,
      ),
    ).to.deep.equal([]);
    const roles = ofType(stacks.ireland.resources, "aws:iam/role:Role").filter(
      (r) => (r.inputs.tags as Record<string, string>).Persona,
    );
    expect(roles.map((r) => (r.inputs.tags as Record<string, string>).Persona)).to.have.members([
      ...PERSONA_NAMES,
    ]);
    const boundaries = ofType(stacks.ireland.resources, "aws:iam/policy:Policy");
    for (const role of roles) {
      expect(role.inputs.maxSessionDuration).to.equal(3600);
      const trust = json<{ Statement: { Condition: Record<string, Record<string, unknown>> }[] }>(
        role.inputs.assumeRolePolicy,
      );
      for (const s of trust.Statement)
        expect(s.Condition.Bool["aws:MultiFactorAuthPresent"]).to.equal("true");
      expect(boundaries.map((b) => b.outputs.arn)).to.include(role.inputs.permissionsBoundary);
    }
  });

  it("gives AdministratorAccess to the break-glass role alone, and alarms on every use of it", () => {
    const attachments = ofType(
      stacks.ireland.resources,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    ).filter((a) => String(a.inputs.policyArn).endsWith(":policy/AdministratorAccess"));
    expect(attachments.map((a) => a.inputs.role)).to.deep.equal(["ehealth-ireland-break-glass"]);
    const role = ofType(stacks.ireland.resources, "aws:iam/role:Role").find(
      (r) => r.inputs.name === "ehealth-ireland-break-glass",
    )!;
    const filter = ofType(
      stacks.ireland.resources,
      "aws:cloudwatch/logMetricFilter:LogMetricFilter",
    ).find((f) => String(f.inputs.pattern).includes("AssumeRole"))!;
    expect(String(filter.inputs.pattern)).to.include(String(role.outputs.arn));
  });

  it("leaves out a persona nobody is named for", async () => {
    const evaluation = await stackWith("ireland", {
      overrides: { "ehealth:personas": JSON.stringify({ dba: ["user/dana"] }) },
    });
    const personas = ofType(evaluation.resources, "aws:iam/role:Role")
      .map((r) => (r.inputs.tags as Record<string, string>).Persona)
      .filter(Boolean);
    expect(personas).to.deep.equal(["dba"]);
    expect(
      ofType(evaluation.resources, "aws:cloudwatch/logMetricFilter:LogMetricFilter").some((f) =>
        String(f.inputs.pattern).includes("AssumeRole"),
      ),
    ).to.equal(false);
  });
});
