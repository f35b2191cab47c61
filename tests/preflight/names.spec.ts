import { expect } from "chai";
import { NAME_SPECS } from "../../tools/preflight/rules/names";
import { Program, findings } from "./program";

/** A name every spec accepts but the alias (which needs its prefix). */
const valid = (id: string) => (id === "name-kms-alias" ? "alias/app-1" : "app-1");

describe("preflight: names and formats", () => {
  for (const spec of NAME_SPECS) {
    const type = [spec.type].flat()[0];
    const key = spec.key ?? "name";
    it(`${spec.id}: reports a ${key} longer than ${spec.max} characters and accepts a short one`, async () => {
      const tooLong = valid(spec.id).slice(0, 6) + "a".repeat(spec.max);
      const bad = new Program();
      bad.add(type, "r", { [key]: tooLong });
      const hits = await findings(spec.id, bad);
      expect(hits).to.have.length(1);
      expect(hits[0].kind).to.equal("fails-deploy");
      expect(hits[0].message).to.include(`has ${tooLong.length} characters`);
      expect(hits[0].reference.url).to.match(/^https:\/\/docs\.aws\.amazon\.com\//);
      const good = new Program();
      good.add(type, "r", { [key]: valid(spec.id) });
      expect(await findings(spec.id, good)).to.deep.equal([]);
    });
  }

  it("name-lb: counts Pulumi's 8-character autoname suffix against the 32 characters", async () => {
    const p = new Program();
    p.add("aws:lb/loadBalancer:LoadBalancer", "ehealth-ireland-research-lb"); // 27 + 8 = 35
    p.add("aws:lb/loadBalancer:LoadBalancer", "short-lb");
    const hits = await findings("name-lb", p);
    expect(hits).to.have.length(1);
    expect(hits[0].message).to.include("Pulumi's autoname").and.include("35 characters");
  });

  it("name-backup-selection: reports a derived selection name past 50 characters", async () => {
    const p = new Program();
    p.add("aws:backup/selection:Selection", "sel", {
      name: "ehealth-ireland-research-a-very-long-study-id-tagged",
    });
    expect(await findings("name-backup-selection", p)).to.have.length(1);
  });

  it("name-s3-bucket: reports upper case, reserved prefixes and IP-shaped names", async () => {
    const p = new Program();
    for (const bucket of ["Patient-Docs", "xn--docs", "192.168.1.1", "docs--x-s3", "a..b"])
      p.add("aws:s3/bucket:Bucket", bucket, { bucket });
    p.add("aws:s3/bucket:Bucket", "fine", { bucket: "patient-docs.eu" });
    const hits = await findings("name-s3-bucket", p);
    expect(hits.map((h) => h.urn?.split("::").pop())).to.deep.equal([
      "Patient-Docs",
      "xn--docs",
      "192.168.1.1",
      "docs--x-s3",
      "a..b",
    ]);
  });

  it("name-kms-alias: reports the reserved alias/aws/ prefix and a missing alias/ prefix", async () => {
    const p = new Program();
    p.add("aws:kms/alias:Alias", "a", { name: "alias/aws/s3" });
    p.add("aws:kms/alias:Alias", "b", { name: "phi" });
    expect(await findings("name-kms-alias", p)).to.have.length(2);
  });

  it("name-lb: reports the reserved internal- prefix", async () => {
    const p = new Program();
    p.add("aws:lb/loadBalancer:LoadBalancer", "lb", { name: "internal-app" });
    expect(await findings("name-lb", p)).to.have.length(1);
  });

  it("name-waf-log-destination: reports a log group not named aws-waf-logs-*, accepts one that is", async () => {
    const p = new Program();
    const bad = p.add("aws:cloudwatch/logGroup:LogGroup", "waf", { name: "/app/waf" });
    const good = p.add("aws:cloudwatch/logGroup:LogGroup", "waf2", { name: "aws-waf-logs-app" });
    const acl = p.add("aws:wafv2/webAcl:WebAcl", "acl", { name: "acl" });
    p.add("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "l1", {
      resourceArn: p.arn(acl),
      logDestinationConfigs: [p.arn(bad)],
    });
    p.add("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "l2", {
      resourceArn: p.arn(acl),
      logDestinationConfigs: [p.arn(good)],
    });
    const hits = await findings("name-waf-log-destination", p);
    expect(hits.map((h) => h.urn)).to.deep.equal([bad.urn]);
  });

  it("name-cognito-domain: reports a prefix with a reserved word or upper case, accepts a plain one", async () => {
    const p = new Program();
    p.add("aws:cognito/userPoolDomain:UserPoolDomain", "a", { domain: "ehealth-cognito-login" });
    p.add("aws:cognito/userPoolDomain:UserPoolDomain", "b", { domain: "Ehealth" });
    p.add("aws:cognito/userPoolDomain:UserPoolDomain", "c", { domain: "ehealth-login" });
    expect(
      (await findings("name-cognito-domain", p)).map((h) => h.urn?.split("::").pop()),
    ).to.deep.equal(["a", "b"]);
  });

  it("name-iam-path: reports a path without its closing slash, accepts /team/", async () => {
    const p = new Program();
    p.add("aws:iam/role:Role", "a", { path: "/team" });
    p.add("aws:iam/role:Role", "b", { path: "/team/" });
    expect((await findings("name-iam-path", p)).map((h) => h.urn?.split("::").pop())).to.deep.equal(
      ["a"],
    );
  });
});

describe("preflight: tags", () => {
  it("tags-limits: reports 51 tags, a 129-character key, a 257-character value and the aws: prefix", async () => {
    const p = new Program();
    p.add("aws:s3/bucket:Bucket", "many", {
      tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])),
    });
    p.add("aws:s3/bucket:Bucket", "long", {
      tags: { ["k".repeat(129)]: "v", ok: "v".repeat(257) },
    });
    p.add("aws:s3/bucket:Bucket", "aws", { tags: { "AWS:owner": "me" } });
    p.add("aws:s3/bucket:Bucket", "fine", {
      tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v".repeat(256)])),
    });
    const hits = await findings("tags-limits", p);
    expect(hits.map((h) => h.urn?.split("::").pop())).to.deep.equal(["many", "long", "aws"]);
    expect(hits[1].message).to.include("129 characters").and.include("257 characters");
  });

  it("tags-instance-metadata-keys: reports a key with a space on a group launching a template with metadata tags", async () => {
    const p = new Program();
    const lt = p.add("aws:ec2/launchTemplate:LaunchTemplate", "lt", {
      metadataOptions: { httpTokens: "required", instanceMetadataTags: "enabled" },
      tagSpecifications: [
        { resourceType: "instance", tags: { Name: "app", "Patch Group": "app" } },
      ],
    });
    p.add("aws:autoscaling/group:Group", "asg", {
      launchTemplate: { id: lt.id, version: "1" },
      tags: [
        { key: "Owner/Team", value: "x", propagateAtLaunch: true },
        { key: "not propagated", value: "x", propagateAtLaunch: false },
      ],
    });
    const hits = await findings("tags-instance-metadata-keys", p);
    expect(hits.map((h) => h.message.match(/"([^"]+)" contains/)?.[1])).to.deep.equal([
      "Patch Group",
      "Owner/Team",
    ]);
  });

  it("tags-instance-metadata-keys: accepts the same keys when metadata tags are off, and PatchGroup when on", async () => {
    const p = new Program();
    p.add("aws:ec2/launchTemplate:LaunchTemplate", "off", {
      metadataOptions: { httpTokens: "required" },
      tagSpecifications: [{ resourceType: "instance", tags: { "Patch Group": "app" } }],
    });
    p.add("aws:ec2/instance:Instance", "on", {
      metadataOptions: { instanceMetadataTags: "enabled" },
      tags: { PatchGroup: "app", "cost:center": "1" },
    });
    expect(await findings("tags-instance-metadata-keys", p)).to.deep.equal([]);
  });
});
