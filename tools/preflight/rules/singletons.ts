/** Account and region singletons, across every program that deploys into the same account. */
import { ProgramGraph, Res, label } from "../graph";
import type { AccountRule, RuleHit } from "../types";

interface Singleton {
  readonly type: string;
  readonly what: string;
  /** Per region (most) or per account (IAM). */
  readonly scope: "region" | "account";
  /** A finer key (Access Analyzer: one per type). */
  readonly key?: (r: Res) => string;
}

const SINGLETONS: readonly Singleton[] = [
  { type: "aws:guardduty/detector:Detector", what: "GuardDuty detector", scope: "region" },
  { type: "aws:securityhub/account:Account", what: "Security Hub account", scope: "region" },
  { type: "aws:cfg/recorder:Recorder", what: "AWS Config configuration recorder", scope: "region" },
  {
    type: "aws:cfg/deliveryChannel:DeliveryChannel",
    what: "AWS Config delivery channel",
    scope: "region",
  },
  {
    type: "aws:ebs/encryptionByDefault:EncryptionByDefault",
    what: "EBS encryption by default",
    scope: "region",
  },
  { type: "aws:ebs/defaultKmsKey:DefaultKmsKey", what: "EBS default KMS key", scope: "region" },
  {
    type: "aws:accessanalyzer/analyzer:Analyzer",
    what: "IAM Access Analyzer",
    scope: "region",
    key: (r) => String(r.inputs.type ?? "ACCOUNT"),
  },
  {
    type: "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
    what: "IAM account password policy",
    scope: "account",
  },
  { type: "aws:macie2/account:Account", what: "Macie account", scope: "region" },
  { type: "aws:inspector2/enabler:Enabler", what: "Inspector enabler", scope: "region" },
];

export const singletons: AccountRule = {
  id: "singleton-per-account-region",
  family: "singletons",
  kind: "fails-deploy",
  scope: "account",
  description:
    "At most one per account and region: GuardDuty detector, Security Hub account, Config recorder and delivery channel, EBS default encryption and key, Access Analyzer per type; one IAM password policy per account. A second is refused (or two programs fight over one).",
  reference: {
    title:
      "AWS Config Developer Guide: Managing the delivery channel (one per Region per account); GuardDuty CreateDetector (one detector per Region)",
    url: "https://docs.aws.amazon.com/config/latest/developerguide/manage-delivery-channel.html",
  },
  check(graphs: readonly ProgramGraph[]) {
    const hits: RuleHit[] = [];
    for (const s of SINGLETONS) {
      const seen = new Map<string, { g: ProgramGraph; r: Res }>();
      for (const g of graphs) {
        for (const r of g.ofType(s.type)) {
          const where = `${g.accountId}/${s.scope === "region" ? g.regionOf(r) : "global"}/${s.key?.(r) ?? ""}`;
          const first = seen.get(where);
          if (!first) {
            seen.set(where, { g, r });
            continue;
          }
          hits.push({
            urn: r.urn,
            message: `${label(r)} (${g.stack}): a second ${s.what} in account ${g.accountId}${s.scope === "region" ? ` and ${g.regionOf(r)}` : ""}, after ${label(first.r)} (${first.g.stack}); AWS allows one. Create it in one program only (or rely on the organization's).`,
          });
        }
      }
    }
    return hits;
  },
};
