import { ENCRYPTION_AT_REST } from "../lib/levels";
import { ResourceCheck, resourcePolicy } from "../lib/policy";

type Props = Record<string, unknown>;

const list = (value: unknown): Props[] => (Array.isArray(value) ? (value as Props[]) : []);

/** Instance and launch configuration volumes: the root device and each EBS block device. */
const instanceVolumes: ResourceCheck = (resource, report) => {
  const root = resource.props.rootBlockDevice as Props | undefined;
  if (root?.encrypted !== true) {
    report(
      `${resource.name} has an unencrypted root volume: set rootBlockDevice.encrypted to true (and rootBlockDevice.kmsKeyId to the PHI key)`,
    );
  }
  list(resource.props.ebsBlockDevices).forEach((device, i) => {
    if (device.encrypted !== true) {
      report(
        `${resource.name} has an unencrypted EBS volume ${String(device.deviceName ?? i)}: set ebsBlockDevices[${i}].encrypted to true`,
      );
    }
  });
};

const launchTemplate: ResourceCheck = (resource, report) => {
  const mappings = list(resource.props.blockDeviceMappings);
  if (mappings.length === 0) {
    report(
      `${resource.name} leaves its volumes' encryption to the AMI: add blockDeviceMappings for the root device with ebs.encrypted "true" and ebs.kmsKeyId the PHI key`,
    );
  }
  mappings.forEach((mapping, i) => {
    const ebs = mapping.ebs as Props | undefined;
    // The provider takes this flag as a string.
    if (ebs && String(ebs.encrypted) !== "true") {
      report(
        `${resource.name} maps ${String(mapping.deviceName ?? i)} unencrypted: set blockDeviceMappings[${i}].ebs.encrypted to "true"`,
      );
    }
  });
};

const volume: ResourceCheck = (resource, report) => {
  if (resource.props.encrypted !== true) {
    report(`${resource.name} is unencrypted: set encrypted to true and kmsKeyId to the PHI key`);
  }
};

/** Encryption at rest for EBS, wherever a volume can be declared. */
export const ec2VolumeEnforceEncryption = resourcePolicy(
  {
    name: "ec2-volume-enforce-encryption",
    description:
      "EBS volumes are encrypted: standalone volumes, instance root and block devices, launch template and launch configuration mappings.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...ENCRYPTION_AT_REST],
    remediationSteps:
      'Set encrypted ("true" in launch templates) with the PHI key as kmsKeyId; enable EBS encryption by default in every region.',
    levelReason:
      "A disk that holds PHI unencrypted exposes it to anyone who gets a snapshot or the hardware; the fix costs nothing.",
  },
  {
    "aws:ebs/volume:Volume": volume,
    "aws:ec2/instance:Instance": instanceVolumes,
    "aws:ec2/launchConfiguration:LaunchConfiguration": instanceVolumes,
    "aws:ec2/launchTemplate:LaunchTemplate": launchTemplate,
  },
);
