import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { policies } from "../../policy-pack/policies";
import { PROJECT_DIR, ResourceRecord } from "../../tools/engine";
import { res } from "./fixtures";
import { PackConfig, runPolicies } from "../../tools/policy/run";
import { stack } from "../helpers";
import { CASES } from "./cases";

// The engine's sentinel for a string unknown until apply (the module ships no typings for it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownStringValue } = require("@pulumi/policy/proxy") as { unknownStringValue: unknown };

const ADMIN = "ec2-ingress-enforce-admin-allowlist";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

function runWith(resources: ResourceRecord[], config: PackConfig = {}, now?: Date) {
  return runPolicies(resources, policies, config, { now });
}

describe("policy pack", () => {
  it("has exactly the pinned policies at their pinned levels", () => {
    const pinned = JSON.parse(
      readFileSync(path.join(__dirname, "pinned-policies.json"), "utf8"),
    ) as Record<string, string>;
    expect(Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel]))).to.deep.equal(
      pinned,
    );
  });

  it("has a test case for every policy, and no case for a policy it lacks", () => {
    expect(CASES.map((c) => c.policy)).to.have.members(policies.map((p) => p.name));
  });

  it("names each policy <service>-<resource>-<verb>-<thing>, with a severity, HIPAA citations and a fix", () => {
    for (const p of policies) {
      expect(p.name).to.match(
        /^[a-z0-9]+-[a-z0-9]+-(missing|disallow|enable|enforce|configure)-[a-z0-9-]+$/,
      );
      expect(p.severity, p.name).to.be.oneOf(["low", "medium", "high", "critical"]);
      expect(p.meta.hipaa.length, p.name).to.be.greaterThan(0);
      for (const c of p.meta.hipaa) expect(c).to.match(/^164\.3\d\d\(/);
      expect(p.remediationSteps, p.name).to.be.a("string").and.not.empty;
    }
  });

  it("ships a default config that names only policies of the pack", () => {
    const config = JSON.parse(
      readFileSync(path.join(PROJECT_DIR, "policy-pack", "config.json"), "utf8"),
    ) as object;
    const names = new Set(policies.map((p) => p.name));
    for (const key of Object.keys(config)) expect(names.has(key), key).to.equal(true);
  });

  for (const stackName of ["ireland", "oregon"]) {
    it(`finds no mandatory violation in the ${stackName} stack`, async () => {
      const evaluation = await stack(stackName);
      const mandatory = runPolicies(evaluation.resources, policies).violations.filter(
        (f) => f.enforcementLevel === "mandatory",
      );
      expect(mandatory.map((f) => `${f.policy}: ${f.message}`)).to.deep.equal([]);
    });
  }
});

// The engine's sentinel for a value unknown until apply.
const UNKNOWN = unknownStringValue;

describe("policies, case by case", () => {
  for (const c of CASES) {
    describe(c.policy, () => {
      // Each case runs its own policy only: the others are not under test here.
      const only = policies.filter((p) => p.name === c.policy);
      it("passes its compliant fixture", () => {
        const found = runPolicies(c.fixture, only, c.config).violations.filter(
          (f) => f.policy === c.policy,
        );
        expect(found.map((f) => f.message)).to.deep.equal([]);
      });

      for (const [what, mutate, fragment] of c.violations) {
        it(`fails on ${what}`, () => {
          const found = runPolicies(mutate(c.fixture), only, c.config).violations.filter(
            (f) => f.policy === c.policy,
          );
          expect(found.length, "findings").to.be.greaterThan(0);
          expect(found.map((f) => f.message).join(" | ")).to.include(fragment);
          for (const f of found)
            expect(f.message, "a message names values, never undefined").to.not.include(
              "undefined",
            );
        });
      }

      it("never crashes, nor blocks, when any one input is unknown or missing", () => {
        for (const r of c.fixture) {
          for (const key of Object.keys(r.inputs)) {
            for (const value of [UNKNOWN, undefined]) {
              const changed = c.fixture.map((x) =>
                x === r
                  ? {
                      ...x,
                      inputs: { ...x.inputs, [key]: value },
                      outputs: { ...x.outputs, [key]: value },
                    }
                  : x,
              );
              const found = runPolicies(changed, only, c.config).violations.filter(
                (f) => f.policy === c.policy,
              );
              if (value === UNKNOWN) {
                // Unknown: the policy either did not need the value, or says it cannot run yet.
                for (const f of found)
                  expect(f.enforcementLevel, `${r.name}.${key}: ${f.message}`).to.equal("advisory");
              }
            }
          }
        }
      });
    });
  }
});

describe("policy config", () => {
  const ssh = () =>
    res(INGRESS, "bastion-ssh", {
      securityGroupId: "sg-1",
      ipProtocol: "tcp",
      fromPort: 22,
      toPort: 22,
      cidrIpv4: "203.0.113.8/29",
    });

  it("passes SSH from a CIDR inside the configured admin allow-list", () => {
    const config = { [ADMIN]: { allowedAdminCidrs: ["203.0.113.0/24"] } };
    expect(runWith([ssh()], config).violations.filter((f) => f.policy === ADMIN)).to.deep.equal([]);
  });

  it("refuses ::/0 and 0.0.0.0/0 even when the allow-list names them", () => {
    const config = { [ADMIN]: { allowedAdminCidrs: ["0.0.0.0/0", "::/0"] } };
    const open = res(INGRESS, "open", {
      securityGroupId: "sg-1",
      ipProtocol: "tcp",
      fromPort: 22,
      toPort: 22,
      cidrIpv4: "0.0.0.0/0",
    });
    const [f] = runWith([open], config).violations.filter((x) => x.policy === ADMIN);
    expect(f.message).to.include("the whole internet");
  });

  it("lowers or disables a policy through its enforcementLevel", () => {
    const open = res(INGRESS, "open", {
      securityGroupId: "sg-1",
      ipProtocol: "tcp",
      fromPort: 22,
      toPort: 22,
      cidrIpv4: "0.0.0.0/0",
    });
    const advisory = runWith([open], {
      [ADMIN]: { enforcementLevel: "advisory" },
    }).violations.filter((x) => x.policy === ADMIN);
    expect(advisory.map((f) => f.enforcementLevel)).to.deep.equal(["advisory"]);
    expect(
      runWith([open], { [ADMIN]: "disabled" }).violations.filter((x) => x.policy === ADMIN),
    ).to.deep.equal([]);
  });
});

describe("exemptions", () => {
  const open = () =>
    res(INGRESS, "legacy-ssh", {
      securityGroupId: "sg-1",
      ipProtocol: "tcp",
      fromPort: 22,
      toPort: 22,
      cidrIpv4: "198.51.100.0/24",
    });
  const withExemption = (exemption: object) => ({ [ADMIN]: { exemptions: [exemption] } });
  const today = new Date("2026-11-21T12:00:00Z");
  const runExempted = (exemption: object) => runWith([open()], withExemption(exemption), today);

  it("reports an exempted finding as exempted, with its reason, and not as a violation", () => {
    const run = runExempted({
      resource: "legacy-*",
      reason: "vendor VPN, ticket 42",
      expires: "2026-12-31",
    });
    expect(run.violations.filter((f) => f.policy === ADMIN)).to.deep.equal([]);
    expect(run.exempted).to.have.length(1);
    expect(run.exempted[0]).to.include({
      policy: ADMIN,
      reason: "vendor VPN, ticket 42",
      expires: "2026-12-31",
    });
    expect(run.exempted[0].message).to.include("SSH (22) from 198.51.100.0/24");
  });

  it("matches a resource by URN glob as well as by name", () => {
    const run = runExempted({ resource: "urn:pulumi:test::*::legacy-ssh", reason: "vendor VPN" });
    expect(run.exempted).to.have.length(1);
  });

  it("fails when an exemption gives no reason: the finding stays a violation", () => {
    const run = runExempted({ resource: "legacy-ssh", reason: " " });
    const [f] = run.violations.filter((x) => x.policy === ADMIN);
    expect(f.enforcementLevel).to.equal("mandatory");
    expect(f.message).to.include('the exemption for "legacy-ssh" is ignored: it gives no reason');
    expect(run.exempted).to.deep.equal([]);
  });

  it("fails when an exemption has expired: the finding counts as a violation again", () => {
    const run = runExempted({
      resource: "legacy-ssh",
      reason: "vendor VPN",
      expires: "2026-11-20",
    });
    const [f] = run.violations.filter((x) => x.policy === ADMIN);
    expect(f.message).to.include("expired on 2026-11-20: vendor VPN");
    expect(run.exempted).to.deep.equal([]);
  });

  it("holds through the last day of the exemption", () => {
    const run = runExempted({
      resource: "legacy-ssh",
      reason: "vendor VPN",
      expires: "2026-11-21",
    });
    expect(run.exempted).to.have.length(1);
  });

  it("exempts stack-policy findings by the resource they name", () => {
    const vpc = res("aws:ec2/vpc:Vpc", "lab-vpc", { cidrBlock: "10.9.0.0/16" });
    const config = {
      "ec2-vpc-enable-flow-logs": {
        exemptions: [{ resource: "lab-vpc", reason: "sandbox without PHI" }],
      },
    };
    const run = runWith([vpc], config, today);
    expect(run.violations.filter((f) => f.policy === "ec2-vpc-enable-flow-logs")).to.deep.equal([]);
    expect(run.exempted.map((e) => e.policy)).to.deep.equal(["ec2-vpc-enable-flow-logs"]);
  });

  it("declares exemptions in every policy's config schema, with the reason required", () => {
    for (const p of policies) {
      const schema = p.configSchema?.properties?.exemptions as
        { items?: { required?: string[] } } | undefined;
      expect(schema?.items?.required, p.name).to.include.members(["resource", "reason"]);
    }
  });
});
