import { expect } from "chai";
import { CONFIG_RULES } from "../../infra/audit";
import {
  ORGANIZATION_SERVICES,
  OrganizationService,
  ServiceProvider,
} from "../../infra/organization";
import { Evaluation, ResourceRecord, ofType, stack, stackWith } from "../helpers";

const tag = (r: ResourceRecord, key: string) => (r.inputs.tags as Record<string, string>)?.[key];

/**
 * What each organization-providable service consists of in a stack: the singleton AWS allows once
 * per account or region, and whatever exists only to serve it.
 */
const SINGLETONS: Readonly<Record<OrganizationService, (r: ResourceRecord) => boolean>> = {
  guardDuty: (r) =>
    r.type === "aws:guardduty/detector:Detector" ||
    r.type === "aws:guardduty/detectorFeature:DetectorFeature",
  securityHub: (r) =>
    r.type === "aws:securityhub/account:Account" ||
    r.type === "aws:securityhub/standardsSubscription:StandardsSubscription",
  config: (r) =>
    r.type === "aws:cfg/recorder:Recorder" ||
    r.type === "aws:cfg/deliveryChannel:DeliveryChannel" ||
    r.type === "aws:cfg/recorderStatus:RecorderStatus" ||
    (r.type === "aws:iam/serviceLinkedRole:ServiceLinkedRole" &&
      r.inputs.awsServiceName === "config.amazonaws.com") ||
    (r.type === "aws:s3/bucket:Bucket" && tag(r, "Purpose") === "config-delivery") ||
    (r.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig" &&
      String(r.name).endsWith("-config")),
  accessAnalyzer: (r) => r.type === "aws:accessanalyzer/analyzer:Analyzer",
  ebsDefaultEncryption: (r) =>
    r.type === "aws:ebs/encryptionByDefault:EncryptionByDefault" ||
    r.type === "aws:ebs/defaultKmsKey:DefaultKmsKey",
  passwordPolicy: (r) => r.type === "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
  trail: (r) =>
    r.type === "aws:cloudtrail/trail:Trail" ||
    (r.type === "aws:cloudwatch/logGroup:LogGroup" &&
      String(r.inputs.name).endsWith("/cloudtrail")) ||
    r.type === "aws:cloudwatch/logMetricFilter:LogMetricFilter" ||
    r.type === "aws:cloudwatch/metricAlarm:MetricAlarm",
  inspector: (r) => r.type === "aws:inspector2/enabler:Enabler",
};

/** Which of the services exist in the primary (the trail and password policy live there). */
const IN_PRIMARY_ONLY: readonly OrganizationService[] = ["trail", "passwordPolicy"];

function found(evaluation: Evaluation, service: OrganizationService): ResourceRecord[] {
  return evaluation.resources.filter(SINGLETONS[service]);
}

const providedBy = (services: readonly OrganizationService[]) =>
  JSON.stringify(
    Object.fromEntries(services.map((s) => [s, "organization" satisfies ServiceProvider])),
  );

const withOrganization = (name: string, services: readonly OrganizationService[]) =>
  stackWith(name, { overrides: { "ehealth:organizationServices": providedBy(services) } });

/** Two halves, so that each service is shown to be left out on its own, not with another. */
const HALF: readonly OrganizationService[] = [
  "guardDuty",
  "config",
  "ebsDefaultEncryption",
  "trail",
  "inspector",
];
const OTHER_HALF = ORGANIZATION_SERVICES.filter((s) => !HALF.includes(s));

describe("organization-provided singletons (ehealth:organizationServices)", () => {
  let ireland: Evaluation;
  let oregon: Evaluation;
  const variants = {} as Record<
    "irelandAll" | "oregonAll" | "irelandHalf" | "irelandOtherHalf",
    Promise<Evaluation>
  >;
  before(async () => {
    variants.irelandAll = withOrganization("ireland", ORGANIZATION_SERVICES);
    variants.oregonAll = withOrganization("oregon", ORGANIZATION_SERVICES);
    variants.irelandHalf = withOrganization("ireland", HALF);
    variants.irelandOtherHalf = withOrganization("ireland", OTHER_HALF);
    for (const v of Object.values(variants)) v.catch(() => undefined);
    [ireland, oregon] = await Promise.all([stack("ireland"), stack("oregon")]);
  });

  it("creates every singleton by default, each account-wide one in exactly one of the two stacks", () => {
    for (const service of ORGANIZATION_SERVICES) {
      expect(found(ireland, service), `${service} in ireland`).to.not.be.empty;
      const inOregon = found(oregon, service);
      if (IN_PRIMARY_ONLY.includes(service)) expect(inOregon, service).to.deep.equal([]);
      else expect(inOregon, `${service} in oregon`).to.not.be.empty;
    }
    // Account-wide: the trail, the password policy, global-resource recording and AWS Config's
    // service-linked role each exist once across the two stacks of the account.
    const both = [...ireland.resources, ...oregon.resources];
    const once = (what: string, match: (r: ResourceRecord) => boolean) =>
      expect(both.filter(match), what).to.have.length(1);
    once("trail", (r) => r.type === "aws:cloudtrail/trail:Trail");
    once("password policy", SINGLETONS.passwordPolicy);
    once(
      "global resource recording",
      (r) =>
        r.type === "aws:cfg/recorder:Recorder" &&
        (r.inputs.recordingGroup as { includeGlobalResourceTypes: boolean })
          .includeGlobalResourceTypes,
    );
    once(
      "AWS Config's service-linked role",
      (r) =>
        r.type === "aws:iam/serviceLinkedRole:ServiceLinkedRole" &&
        r.inputs.awsServiceName === "config.amazonaws.com",
    );
  });

  for (const name of ["ireland", "oregon"] as const) {
    it(`creates none of the singletons in ${name} when the organization provides them all`, async () => {
      const evaluation = await variants[name === "ireland" ? "irelandAll" : "oregonAll"];
      for (const service of ORGANIZATION_SERVICES) {
        expect(
          found(evaluation, service).map((r) => r.urn),
          service,
        ).to.deep.equal([]);
      }
    });
  }

  it("leaves out each service on its own, keeping the ones the stack still provides", async () => {
    const [half, otherHalf] = await Promise.all([variants.irelandHalf, variants.irelandOtherHalf]);
    for (const service of ORGANIZATION_SERVICES) {
      const [without, withIt] = HALF.includes(service) ? [half, otherHalf] : [otherHalf, half];
      expect(found(without, service), `${service} left out`).to.deep.equal([]);
      expect(found(withIt, service), `${service} kept`).to.not.be.empty;
    }
  });

  it("keeps what does not depend on the singletons: the Config rules, the findings route to the alert topic, the log archive", async () => {
    for (const [name, evaluation] of [
      ["ireland", await variants.irelandAll],
      ["oregon", await variants.oregonAll],
    ] as const) {
      const rules = ofType(evaluation.resources, "aws:cfg/rule:Rule");
      // The organization's recorder evaluates them (PutConfigRule needs a recorder to exist).
      expect(rules, name).to.have.length(
        CONFIG_RULES.filter((r) => name === "ireland" || !r.global).length,
      );
      const urns = new Set(evaluation.resources.map((r) => r.urn));
      for (const r of evaluation.resources) {
        for (const dependency of r.dependencies) {
          expect(urns.has(dependency), `${r.name} depends on ${dependency}`).to.equal(true);
        }
      }
      const findings = ofType(evaluation.resources, "aws:cloudwatch/eventRule:EventRule").filter(
        (r) => String(r.inputs.eventPattern).includes("aws.guardduty"),
      );
      expect(findings, name).to.have.length(1);
      const target = ofType(evaluation.resources, "aws:cloudwatch/eventTarget:EventTarget").find(
        (t) => t.inputs.rule === findings[0].outputs.name,
      )!;
      const topic = ofType(evaluation.resources, "aws:sns/topic:Topic").find((t) =>
        String(t.inputs.name).endsWith("-security-alerts"),
      )!;
      expect(target.inputs).to.include({
        rule: findings[0].outputs.name,
        arn: topic.outputs.arn,
      });
      expect(
        ofType(evaluation.resources, "aws:s3/bucket:Bucket").filter(
          (b) => tag(b, "Purpose") === "log-archive",
        ),
        name,
      ).to.have.length(1);
    }
  });
});
