import { KeyRequirement, keyedStorePolicy } from "../lib/keyed";

/** Encryption at rest for EFS, under a key the account controls. */
export const efsFileSystemEnforceEncryption = keyedStorePolicy({
  name: "efs-filesystem-enforce-encryption",
  description: "EFS file systems are encrypted at rest with a customer-managed KMS key.",
  types: {
    "aws:efs/fileSystem:FileSystem": (p, name): KeyRequirement[] =>
      p.encrypted !== true
        ? [
            {
              problem: `${name} is unencrypted: set encrypted to true and kmsKeyId to a customer-managed key (an existing file system must be copied to a new one)`,
            },
          ]
        : [{ property: "kmsKeyId", value: p.kmsKeyId }],
  },
  remediationSteps:
    "Set encrypted: true and kmsKeyId to the PHI key (an existing file system must be copied to a new one).",
  levelReason:
    "Shared files of the application hold PHI, and EFS encryption can only be chosen at creation.",
});
