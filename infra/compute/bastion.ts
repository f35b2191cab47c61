/**
 * The optional SSH bastion: one hardened instance in a public subnet with an explicit public IP,
 * SSH only from the allowed CIDRs, and SSH the only way from it to the app tier. Session Manager
 * (no inbound port at all) is the default; sites whose rules require SSH turn this on. Like every
 * instance it is managed and patched: HTTPS out to the VPC's Session Manager endpoints and to the
 * places its packages come from, and the region's patch group tag.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrust } from "../iam";
import { BASTION_ROLE } from "../identity/personas";
import { amiParameter } from "./policies";
import { PATCH_GROUP_TAG } from "./patching";

/** Where the bastion may send HTTPS: a CIDR or a managed prefix list, and why. */
export interface HttpsDestination {
  readonly cidrIpv4?: string;
  readonly prefixListId?: pulumi.Input<string>;
  readonly description: string;
}

export interface BastionArgs {
  readonly vpcId: pulumi.Input<string>;
  readonly subnetId: pulumi.Input<string>;
  readonly allowedCidrs: readonly string[];
  readonly instanceType: string;
  readonly appSecurityGroupId: pulumi.Input<string>;
  readonly phiKeyArn: pulumi.Input<string>;
  readonly partition: string;
  /**
   * HTTPS destinations: the VPC's interface endpoints (Session Manager, its messages) and where
   * packages, the SSM agent and patch baselines come from (S3, or the internet).
   */
  readonly httpsEgress: readonly HttpsDestination[];
  /** The value of its PatchGroup tag: the region's baseline, scans and maintenance window. */
  readonly patchGroup: string;
}

/** The rules, as data: SSH in from each allowed CIDR; SSH out to the app tier and nothing else. */
export function bastionSecurityRules(allowedCidrs: readonly string[]) {
  return {
    ingress: allowedCidrs.map((cidr) => ({ port: 22, cidr })),
    egressToApp: [{ port: 22 }],
  };
}

export function bastionHost(
  parent: pulumi.Resource,
  name: string,
  args: BastionArgs,
): aws.ec2.Instance {
  const child = { parent };
  const rules = bastionSecurityRules(args.allowedCidrs);
  const group = new aws.ec2.SecurityGroup(
    `${name}-bastion`,
    {
      vpcId: args.vpcId,
      description: "Bastion: SSH from the allowed CIDRs, SSH to the app tier, HTTPS to be managed",
      tags: { Name: `${name}-bastion` },
    },
    child,
  );
  rules.ingress.forEach(
    ({ port, cidr }, i) =>
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-bastion-ssh-${i}`,
        {
          securityGroupId: group.id,
          description: `SSH from allowed site ${cidr}`,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
        },
        child,
      ),
  );
  for (const { port } of rules.egressToApp) {
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-bastion-to-app`,
      {
        securityGroupId: group.id,
        description: "SSH to the app tier",
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: args.appSecurityGroupId,
      },
      child,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-app-ssh-from-bastion`,
      {
        securityGroupId: args.appSecurityGroupId,
        description: "SSH from the bastion only",
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: group.id,
      },
      child,
    );
  }
  args.httpsEgress.forEach(
    (destination, i) =>
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-bastion-https-${i}`,
        {
          securityGroupId: group.id,
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
          ...destination,
        },
        child,
      ),
  );
  const role = new aws.iam.Role(
    `${name}-bastion`,
    {
      name: `${name}-bastion`,
      description: "Bastion: Session Manager and patching only",
      assumeRolePolicy: serviceTrust("ec2.amazonaws.com"),
      managedPolicyArns: [`arn:${args.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`],
      tags: { Name: `${name}-bastion` },
    },
    child,
  );
  const profile = new aws.iam.InstanceProfile(
    `${name}-bastion`,
    { name: `${name}-bastion`, role: role.name },
    child,
  );
  const ami = aws.ssm.getParameterOutput({ name: amiParameter(args.instanceType) }, { parent });
  return new aws.ec2.Instance(
    `${name}-bastion`,
    {
      ami: ami.value,
      instanceType: args.instanceType,
      subnetId: args.subnetId,
      associatePublicIpAddress: true,
      vpcSecurityGroupIds: [group.id],
      iamInstanceProfile: profile.name,
      monitoring: true,
      ebsOptimized: true,
      metadataOptions: {
        httpTokens: "required",
        httpPutResponseHopLimit: 1,
        httpEndpoint: "enabled",
      },
      rootBlockDevice: {
        volumeType: "gp3",
        volumeSize: 16,
        encrypted: true,
        kmsKeyId: args.phiKeyArn,
        deleteOnTermination: true,
      },
      tags: { Name: `${name}-bastion`, Role: BASTION_ROLE, [PATCH_GROUP_TAG]: args.patchGroup },
    },
    child,
  );
}
