import { RESILIENCE } from "../lib/levels";
import { resourcePolicy } from "../lib/policy";
import { nonEmpty } from "../lib/props";

/**
 * EFS One Zone keeps data in one AZ: "data ... can be lost if the Availability Zone is destroyed"
 * (AWS: "EFS storage classes", https://docs.aws.amazon.com/efs/latest/ug/storage-classes.html).
 * Advisory: backups (AWS Backup, replication) may cover it, and a scratch file system may not need
 * more; the assessor decides.
 */
export const efsFileSystemConfigureResilience = resourcePolicy(
  {
    name: "efs-filesystem-configure-resilience",
    description: "EFS file systems are Regional (multi-AZ), not One Zone.",
    enforcementLevel: "advisory",
    severity: "medium",
    hipaa: [...RESILIENCE],
    remediationSteps:
      "Leave availabilityZoneName unset (Regional storage), or replicate the file system.",
    levelReason:
      "A One Zone file system is lost with its AZ, but backups or replication may cover that, and the loss is availability, not exposure: advisory.",
  },
  {
    "aws:efs/fileSystem:FileSystem": (r, report) => {
      if (nonEmpty(r.props.availabilityZoneName))
        report(
          `${r.name} is One Zone (availabilityZoneName ${String(r.props.availabilityZoneName)}), so its data is lost with that AZ: remove availabilityZoneName for Regional storage, or replicate it`,
        );
    },
  },
);
