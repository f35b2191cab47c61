import { resourcePolicy } from "../lib/policy";
import { nonEmpty } from "../lib/props";

export const kmsKeyEnableRotation = resourcePolicy(
  {
    name: "kms-key-enable-rotation",
    description: "Symmetric customer-managed KMS keys rotate their key material automatically.",
    enforcementLevel: "mandatory",
    severity: "medium",
    hipaa: ["164.312(a)(2)(iv)", "164.308(a)(1)(ii)(B)"],
    remediationSteps: "Set enableKeyRotation: true (rotationPeriodInDays 90..2560, default 365).",
    levelReason:
      "Rotation bounds how much PHI any one key version protects; it is free and invisible to the services using the key.",
  },
  {
    "aws:kms/key:Key": (r, report) => {
      const spec = String(r.props.customerMasterKeySpec ?? r.props.keySpec ?? "SYMMETRIC_DEFAULT");
      const usage = String(r.props.keyUsage ?? "ENCRYPT_DECRYPT");
      // "You cannot enable automatic rotation of asymmetric KMS keys, HMAC KMS keys, KMS keys with
      // imported key material, or KMS keys in a custom key store." AWS: EnableKeyRotation,
      // https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html
      if (
        !nonEmpty(r.props.customKeyStoreId) &&
        spec === "SYMMETRIC_DEFAULT" &&
        usage === "ENCRYPT_DECRYPT" &&
        r.props.enableKeyRotation !== true
      ) {
        report(`${r.name} never rotates: set enableKeyRotation to true`);
      }
    },
  },
);
