import { ACCESS } from "../lib/levels";
import { ResourceCheck, resourcePolicy } from "../lib/policy";
import { isTrue } from "../lib/props";

const check: ResourceCheck = (r, report) => {
  if (isTrue(r.props.bypassPolicyLockoutSafetyCheck))
    report(
      `${r.name} skips KMS's lockout safety check, so a policy that locks every administrator out of the key (and the PHI under it) is accepted: remove bypassPolicyLockoutSafetyCheck`,
    );
};

/**
 * AWS: "The default key policy ... bypass the policy lockout safety check: setting this value to
 * true increases the risk that the KMS key becomes unmanageable",
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
 */
export const kmsKeyDisallowLockoutBypass = resourcePolicy(
  {
    name: "kms-key-disallow-lockout-bypass",
    description:
      "KMS keys (own, imported-material and replica keys) and key policies keep the policy lockout safety check (bypassPolicyLockoutSafetyCheck not true).",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...ACCESS, "164.308(a)(7)(ii)(A)"],
    remediationSteps: "Remove bypassPolicyLockoutSafetyCheck (or set it to false).",
    levelReason:
      "A key nobody can manage cannot be rotated, re-permissioned or scheduled for deletion, and a mistake in its policy can make PHI unreadable for good.",
  },
  {
    "aws:kms/key:Key": check,
    "aws:kms/keyPolicy:KeyPolicy": check,
    // Keys for imported material and multi-Region replicas take the same flag with their policy.
    "aws:kms/externalKey:ExternalKey": check,
    "aws:kms/replicaKey:ReplicaKey": check,
    "aws:kms/replicaExternalKey:ReplicaExternalKey": check,
  },
);
