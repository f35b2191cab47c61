import { TRANSMISSION } from "../lib/levels";
import { resourcePolicy } from "../lib/policy";
import { list, obj } from "../lib/props";

/**
 * ECS tasks that mount EFS do so in plaintext unless transitEncryption is ENABLED.
 * AWS: "Specifying an Amazon EFS file system in a task definition",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specify-efs-config.html
 */
export const ecsTaskDefinitionEnforceTransitEncryption = resourcePolicy(
  {
    name: "ecs-taskdefinition-enforce-transit-encryption",
    description: "ECS task definitions mount EFS volumes with transitEncryption ENABLED.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...TRANSMISSION],
    remediationSteps: 'Set volumes[].efsVolumeConfiguration.transitEncryption to "ENABLED".',
    levelReason: "NFS without TLS carries the files of PHI in plaintext between the task and EFS.",
  },
  {
    "aws:ecs/taskDefinition:TaskDefinition": (r, report) => {
      list(r.props.volumes).forEach((v, i) => {
        const efs = obj(v.efsVolumeConfiguration);
        if (efs && String(efs.transitEncryption ?? "DISABLED").toUpperCase() !== "ENABLED")
          report(
            `${r.name} mounts EFS without TLS: set volumes[${i}].efsVolumeConfiguration.transitEncryption to "ENABLED"`,
          );
      });
    },
  },
);
