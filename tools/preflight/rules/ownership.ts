/**
 * Things an account has once, whichever program asks: the DNS record ACM validates a domain with
 * (the same name and value for every certificate of that domain in the account, in any region),
 * and the AWS Config role Security Hub's Config.1 control expects.
 */
import { ProgramGraph, Res, block, isString, label, list } from "../graph";
import type { AccountRule, RuleHit, StackRule } from "../types";

/** The certificate a record validates (its name is one of the certificate's validation names). */
function validatedCertificate(g: ProgramGraph, record: Res): Res | undefined {
  const name = String(record.inputs.name ?? "").replace(/\.$/, "");
  return g.ofType("aws:acm/certificate:Certificate").find((cert) =>
    list(cert.outputs.domainValidationOptions)
      .map(block)
      .some((o) => String(o.resourceRecordName ?? "").replace(/\.$/, "") === name),
  );
}

export const sharedValidationRecord: AccountRule = {
  id: "acm-validation-record-one-owner",
  family: "singletons",
  kind: "silently-broken",
  scope: "account",
  description:
    "ACM gives every certificate for a domain in one account the same DNS validation record: when two programs each manage it (allowOverwrite), destroying either deletes the record the other's renewals need.",
  reference: {
    title: "AWS Certificate Manager User Guide: DNS validation (keep the CNAME record for renewal)",
    url: "https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html",
  },
  check(graphs) {
    const hits: RuleHit[] = [];
    const owners = new Map<string, { g: ProgramGraph; record: Res }>();
    for (const g of graphs) {
      for (const record of g.ofType("aws:route53/record:Record")) {
        const cert = validatedCertificate(g, record);
        if (!cert || record.retainOnDelete) continue;
        const key = `${g.accountId}/${String(record.inputs.zoneId)}/${String(cert.inputs.domainName)}`;
        const first = owners.get(key);
        if (!first) {
          owners.set(key, { g, record });
          continue;
        }
        hits.push({
          urn: record.urn,
          message: `${label(record)} (${g.stack}): manages the ACM validation record of ${String(cert.inputs.domainName)}, which ${label(first.record)} (${first.g.stack}) also manages; the record is one in the account, so destroying either program deletes the one the other's renewals need. Give it one owner, or set retainOnDelete on both.`,
        });
      }
    }
    return hits;
  },
};

export const configServiceLinkedRole: StackRule = {
  id: "config-recorder-service-linked-role",
  family: "convergence",
  kind: "silently-broken",
  scope: "stack",
  description:
    "Security Hub's control Config.1 (with the Foundational Security Best Practices standard) passes only when the AWS Config recorder uses the service-linked role AWSServiceRoleForConfig.",
  reference: {
    title: "AWS Security Hub User Guide: Security Hub controls for AWS Config (Config.1)",
    url: "https://docs.aws.amazon.com/securityhub/latest/userguide/config-controls.html",
  },
  check(g) {
    const fsbp = g
      .ofType("aws:securityhub/standardsSubscription:StandardsSubscription")
      .some((s) =>
        String(s.inputs.standardsArn ?? "").includes("aws-foundational-security-best-practices"),
      );
    if (!fsbp) return [];
    // The service-linked role by its ARN, or an aws.iam.ServiceLinkedRole of the program for Config.
    const serviceLinked = (roleArn: string) =>
      roleArn.includes("/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig") ||
      g.find(roleArn, "aws:iam/serviceLinkedRole:ServiceLinkedRole")?.inputs.awsServiceName ===
        "config.amazonaws.com";
    return g
      .ofType("aws:cfg/recorder:Recorder")
      .filter((r) => isString(r.inputs.roleArn) && !serviceLinked(String(r.inputs.roleArn)))
      .map((r) => ({
        urn: r.urn,
        message: `${label(r)}: roleArn is ${String(r.inputs.roleArn)}, not the AWS Config service-linked role, so Security Hub's Config.1 (critical) fails forever; use arn:aws:iam::<account>:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig (aws.iam.ServiceLinkedRole for config.amazonaws.com).`,
      }));
  },
};
