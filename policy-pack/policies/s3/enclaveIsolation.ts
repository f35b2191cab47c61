import { ACCESS } from "../lib/levels";
import { stackPolicy } from "../lib/policy";
import { PolicyStatement, statements, strings, tagsOf } from "../lib/props";
import { Buckets, S3, S3_TYPES } from "../lib/s3";

/**
 * Conditions an isolation deny may carry: every request is refused unless it comes through the
 * enclave's endpoint or from a principal let in. Only negated operators say that: a deny "when
 * the endpoint equals" would refuse the enclave itself and let everyone else in.
 */
const ISOLATION_CONDITIONS: Readonly<Record<string, readonly string[]>> = {
  "aws:SourceVpce": ["StringNotEquals", "StringNotEqualsIfExists"],
  "aws:PrincipalArn": ["ArnNotEquals", "ArnNotLike", "StringNotEquals", "StringNotLike"],
};

/**
 * Whether an action pattern covers s3:GetObject. "The prefix and the action name are case
 * insensitive", and * and ? are wildcards. AWS: "IAM JSON policy elements: Action",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 */
function coversGetObject(pattern: string): boolean {
  const re = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test("s3:getobject");
}

/** A Deny for everyone of reading objects, unless through the endpoint or as a named principal. */
function isolates(s: PolicyStatement): boolean {
  if (s.Effect !== "Deny" || s.Principal !== "*") return false;
  const reads = strings(s.Action).some(coversGetObject);
  const objects = strings(s.Resource).some((r) => r === "*" || r.endsWith("/*"));
  const conditions = Object.entries(s.Condition ?? {}).flatMap(([operator, c]) =>
    Object.keys(c ?? {}).map((key) => [operator, key] as const),
  );
  return (
    reads &&
    objects &&
    conditions.every(([operator, key]) => ISOLATION_CONDITIONS[key]?.includes(operator) ?? false)
  );
}

/** Research data is read inside its enclave, and nowhere else. */
export const s3BucketEnforceEnclaveIsolation = stackPolicy(
  {
    name: "s3-bucket-enforce-enclave-isolation",
    description:
      "Buckets of a research enclave (tagged Enclave) deny object reads (any action pattern that covers s3:GetObject), in a BucketPolicy or the bucket's own policy, to everyone (\"*\") unless it comes through the enclave's S3 endpoint (aws:SourceVpce) or from a principal the policy names (aws:PrincipalArn: the data stewards, the enclave's backups).",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...ACCESS, "164.308(a)(4)(ii)(A)"],
    remediationSteps:
      'Add a bucket policy statement { Effect: "Deny", Principal: "*", Action: ["s3:GetObject*", "s3:PutObject*", ...], Resource: [bucket ARN, bucket ARN/*], Condition: { StringNotEquals: { "aws:SourceVpce": <enclave S3 endpoint> }, ArnNotEquals: { "aws:PrincipalArn": [<steward role>] } } }.',
    levelReason:
      "IAM alone would let any well-permitted principal of the account read a study's PHI from anywhere; the enclave's promise is that its data is read inside it.",
  },
  S3_TYPES,
  (resources, report) => {
    const s3 = Buckets.of(resources);
    for (const bucket of s3.buckets) {
      const enclave = tagsOf(bucket.props).Enclave;
      // The enclave's log bucket receives S3's log delivery and holds no study data.
      if (!enclave || s3.logTargetKind(bucket)) continue;
      // A BucketPolicy or the bucket's own (deprecated, still accepted) policy.
      const isolated = [
        ...s3.settingsOf(bucket, S3.policy).map((p) => p.props.policy),
        bucket.props.policy,
      ]
        .flatMap((doc) => statements(doc))
        .some(isolates);
      if (!isolated) {
        report(
          `${bucket.name} holds data of the research enclave ${enclave} but its policy lets objects be read from outside it: deny s3:GetObject* (and writes) to Principal "*" unless aws:SourceVpce is the enclave's S3 endpoint`,
          bucket.urn,
        );
      }
    }
  },
);
