import { expect } from "chai";
import {
  PASSWORD_POLICY,
  domainPrefix,
  personaRoleName,
  principalArns,
} from "../../infra/identity";
import { PERSONA_NAMES } from "../../stacks/config";
import { bothStacks, one, ofType, stackWith } from "../helpers";

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

const ctx = { partition: "aws", accountId: "210987654321" };

describe("infra/identity/personas", () => {
  it("keeps full ARNs and expands account-relative names", () => {
    expect(
      principalArns(["role/oncall/dba", "arn:aws:iam::111122223333:user/x"], ctx),
    ).to.deep.equal([
      "arn:aws:iam::210987654321:role/oncall/dba",
      "arn:aws:iam::111122223333:user/x",
    ]);
  });

  // What each persona may and may not do, and who may assume it: tests/infra/identity-access.spec.ts
  // simulates the policies the stack records.

  it("names the persona roles predictably", () => {
    expect(personaRoleName("ehealth-ireland", "breakGlass")).to.equal(
      "ehealth-ireland-break-glass",
    );
    expect(personaRoleName("ehealth-ireland", "dba")).to.equal("ehealth-ireland-dba");
  });
});

describe("the IT support persona roles", () => {
  const stacks = bothStacks();

  it("exist in the primary only, one per configured persona, each with one-hour sessions and a boundary", () => {
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
      // Its trust policy (named people, MFA): simulated in tests/infra/identity-access.spec.ts.
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
