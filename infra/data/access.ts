/** The one way into a data store: a security group that admits its port from the app tier. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface StoreAccess {
  readonly vpcId: pulumi.Input<string>;
  /** The only security group that may connect (the app tier's). */
  readonly clientSecurityGroupId: pulumi.Input<string>;
  readonly port: number;
  /** What the store is, for descriptions ("PostgreSQL", "NFS"). */
  readonly protocol: string;
}

/** A security group with one ingress rule, the port from the client group, and no egress. */
export function storeSecurityGroup(
  parent: pulumi.Resource,
  name: string,
  access: StoreAccess,
): aws.ec2.SecurityGroup {
  const group = new aws.ec2.SecurityGroup(
    name,
    {
      vpcId: access.vpcId,
      description: `${access.protocol}: ${access.port} from the app tier only`,
      tags: { Name: name },
    },
    { parent },
  );
  new aws.vpc.SecurityGroupIngressRule(
    `${name}-from-app`,
    {
      securityGroupId: group.id,
      description: `${access.protocol} from the app tier`,
      ipProtocol: "tcp",
      fromPort: access.port,
      toPort: access.port,
      referencedSecurityGroupId: access.clientSecurityGroupId,
    },
    { parent },
  );
  return group;
}
