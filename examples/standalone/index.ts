// A web server in the account's default VPC, written as a small clinic might write it. The plan
// evaluates it from any folder, with this project's @pulumi/* when it has no node_modules.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const network = new pulumi.StackReference("acme/network/prod");

const vpc = aws.ec2.getVpcOutput({ default: true });
const subnets = aws.ec2.getSubnetsOutput({ filters: [{ name: "vpc-id", values: [vpc.id] }] });
const ami = aws.ec2.getAmiOutput({
  mostRecent: true,
  owners: ["amazon"],
  filters: [{ name: "name", values: ["al2023-ami-*-x86_64"] }],
});
const motd = aws.ssm.getParameterOutput({ name: "/clinic/web/motd" });

const trust = aws.iam.getPolicyDocumentOutput({
  statements: [
    {
      actions: ["sts:AssumeRole"],
      principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }],
    },
  ],
});
const role = new aws.iam.Role("web", { assumeRolePolicy: trust.json });
const profile = new aws.iam.InstanceProfile("web", { role: role.name });

const group = new aws.ec2.SecurityGroup("web", {
  vpcId: vpc.id,
  description: "HTTPS from the internet",
  ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});

const server = new aws.ec2.Instance("web", {
  ami: ami.id,
  instanceType: config.require("instanceType"),
  subnetId: subnets.ids[0],
  vpcSecurityGroupIds: [group.id],
  iamInstanceProfile: profile.name,
  metadataOptions: { httpTokens: "required" },
  rootBlockDevice: { encrypted: true, kmsKeyId: network.getOutput("appKeyArn") },
  userData: pulumi.interpolate`#!/bin/sh\necho "${motd.value}" > /etc/motd\n`,
});

export const serverId = server.id;
export const vpcCidr = vpc.cidrBlock;
export const trustPolicy = trust.json;
