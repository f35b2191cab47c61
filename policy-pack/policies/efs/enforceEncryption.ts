import { ENCRYPTION_AT_REST } from "../lib/levels";
import { resourcePolicy } from "../lib/policy";

/** Encryption at rest for EFS. */
export const efsFileSystemEnforceEncryption = resourcePolicy(
  {
    name: "efs-filesystem-enforce-encryption",
    description: "EFS file systems are encrypted at rest.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...ENCRYPTION_AT_REST],
    remediationSteps:
      "Set encrypted: true and kmsKeyId to the PHI key (an existing file system must be copied to a new one).",
    levelReason:
      "Shared files of the application hold PHI, and EFS encryption can only be chosen at creation.",
  },
  {
    "aws:efs/fileSystem:FileSystem": (resource, report) => {
      if (resource.props.encrypted !== true) {
        report(
          `${resource.name} is unencrypted: set encrypted to true and kmsKeyId to the PHI key`,
        );
      }
    },
  },
);
