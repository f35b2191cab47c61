import { expect } from "chai";
import { GUARDDUTY_FEATURES, SECURITY_HUB_STANDARDS } from "../../infra/audit";
import { Evaluation, one, ofType, stack } from "../helpers";

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

      it("runs an account IAM Access Analyzer", () => {
        expect(
          one(evaluation.resources, "aws:accessanalyzer/analyzer:Analyzer").inputs.type,
        ).to.equal("ACCOUNT");
      });
    });
  }
});
