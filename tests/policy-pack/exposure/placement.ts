/**
 * Families of public addresses in private subnets by every path, subnets that map public IPs, and
 * data-tier routes out of the VPC.
 */
import fc from "fast-check";
import { ResourceRecord } from "../../../tools/engine";
import { network } from "../cases";
import { res } from "../fixtures";
import { anyCase } from "../families/family";
import { family, networkWith, publicBy } from "./harness";

// ---- public addresses in private subnets, by every path -------------------------------------

const PRIVATE = "ec2-subnet-disallow-public-in-private";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const LC = "aws:ec2/launchConfiguration:LaunchConfiguration";
const ASG = "aws:autoscaling/group:Group";
const INSTANCE = "aws:ec2/instance:Instance";
const ENI = "aws:ec2/networkInterface:NetworkInterface";
const EIP = "aws:ec2/eip:Eip";
const EIP_ASSOC = "aws:ec2/eipAssociation:EipAssociation";

/** Auto Scaling groups in `subnet` whose template or launch configuration sets the public flag. */
type Launch = "template-id" | "template-name" | "mixed-id" | "mixed-name" | "configuration";
const launches = fc.constantFrom<Launch>(
  "template-id",
  "template-name",
  "mixed-id",
  "mixed-name",
  "configuration",
);
function groupLaunching(how: Launch, subnet: string, flag: unknown): ResourceRecord[] {
  const group = (launch: Record<string, unknown>) =>
    res(ASG, "asg", { vpcZoneIdentifiers: [subnet], minSize: 1, maxSize: 2, ...launch });
  if (how === "configuration")
    return [
      res(LC, "lc", {
        name: "app-lc",
        imageId: "ami-1",
        instanceType: "t3.micro",
        ...(flag === undefined ? {} : { associatePublicIpAddress: flag }),
      }),
      group({ launchConfiguration: "app-lc" }),
    ];
  const template = res(LT, "lt", {
    name: "app-lt",
    networkInterfaces: [
      { deviceIndex: 0, ...(flag === undefined ? {} : { associatePublicIpAddress: String(flag) }) },
    ],
  });
  const ref =
    how === "template-id"
      ? { launchTemplate: { id: "lt-id", version: "$Latest" } }
      : how === "template-name"
        ? { launchTemplate: { name: "app-lt" } }
        : {
            mixedInstancesPolicy: {
              launchTemplate: {
                launchTemplateSpecification:
                  how === "mixed-id"
                    ? { launchTemplateId: "lt-id" }
                    : { launchTemplateName: "app-lt" },
              },
            },
          };
  return [template, group(ref)];
}
family({
  policy: PRIVATE,
  name: "an Auto Scaling group in a private subnet whose launch template (by id or name, direct or in a mixed instances policy) or launch configuration asks for public IPs",
  caught: true,
  variants: fc
    .tuple(launches, fc.constantFrom("app-id", "data-id"), publicBy)
    .map(([how, subnet, by]) => [...networkWith(by), ...groupLaunching(how, subnet, true)]),
});
family({
  policy: PRIVATE,
  name: "an Auto Scaling group in a private subnet whose template or launch configuration says false or nothing",
  caught: false,
  variants: fc
    .tuple(
      launches,
      fc.constantFrom("app-id", "data-id"),
      fc.constantFrom<unknown>(false, undefined),
    )
    .map(([how, subnet, flag]) => [...network, ...groupLaunching(how, subnet, flag)]),
});
/** An Elastic IP onto an instance or interface: on the Eip itself or through an EipAssociation. */
type EipPath = "eip-instance" | "eip-eni" | "assoc-instance" | "assoc-eni";
const eipPaths = fc.constantFrom<EipPath>("eip-instance", "eip-eni", "assoc-instance", "assoc-eni");
function elasticIp(path: EipPath, subnet: string, tags: Record<string, string> = {}) {
  const target = [
    res(ENI, "eni", { subnetId: subnet }),
    res(
      INSTANCE,
      "vm",
      path.endsWith("eni")
        ? { networkInterfaces: [{ networkInterfaceId: "eni-id", deviceIndex: 0 }], tags }
        : { subnetId: subnet, tags },
    ),
  ];
  switch (path) {
    case "eip-instance":
      return [...target, res(EIP, "ip", { domain: "vpc", instance: "vm-id" })];
    case "eip-eni":
      return [...target, res(EIP, "ip", { domain: "vpc", networkInterface: "eni-id" })];
    case "assoc-instance":
      return [
        ...target,
        res(EIP, "ip", { domain: "vpc" }),
        res(EIP_ASSOC, "ip-assoc", { allocationId: "ip-id", instanceId: "vm-id" }),
      ];
    case "assoc-eni":
      return [
        ...target,
        res(EIP, "ip", { domain: "vpc" }),
        res(EIP_ASSOC, "ip-assoc", { allocationId: "ip-id", networkInterfaceId: "eni-id" }),
      ];
  }
}
family({
  policy: PRIVATE,
  name: "an Elastic IP on an instance or network interface in a private subnet, on the Eip or through an EipAssociation",
  caught: true,
  variants: fc
    .tuple(eipPaths, fc.constantFrom("app-id", "data-id"), publicBy)
    .map(([path, subnet, by]) => [...networkWith(by), ...elasticIp(path, subnet)]),
});
family({
  policy: PRIVATE,
  name: "an Elastic IP on a bastion in the public subnet (public by association, main table or MainRouteTableAssociation), on the Eip or through an EipAssociation",
  caught: false,
  variants: fc
    .tuple(eipPaths, publicBy, anyCase("bastion"))
    .map(([path, by, role]) => [...networkWith(by), ...elasticIp(path, "pub-id", { Role: role })]),
});

// ---- subnets, route tables ------------------------------------------------------------------

const ON_LAUNCH = "ec2-subnet-disallow-public-ip-on-launch";
family({
  policy: ON_LAUNCH,
  name: "a subnet that maps public IPs (true in any tier), or a default subnet that does not say false",
  caught: true,
  variants: fc
    .tuple(fc.boolean(), anyCase("private"), fc.constantFrom<unknown>(true, undefined))
    .map(([dflt, tier, value]) =>
      dflt
        ? [
            res("aws:ec2/defaultSubnet:DefaultSubnet", "d", {
              availabilityZone: "eu-west-1a",
              ...(value === undefined ? {} : { mapPublicIpOnLaunch: value }),
            }),
          ]
        : [
            res("aws:ec2/subnet:Subnet", "s", {
              vpcId: "vpc-id",
              cidrBlock: "10.0.9.0/24",
              mapPublicIpOnLaunch: true,
              tags: { Tier: tier },
            }),
          ],
    ),
});
family({
  policy: ON_LAUNCH,
  name: "subnets that say false or nothing, and default subnets that say false",
  caught: false,
  variants: fc
    .tuple(fc.boolean(), fc.constantFrom<unknown>(false, undefined), anyCase("public"))
    .map(([dflt, value, tier]) => [
      dflt
        ? res("aws:ec2/defaultSubnet:DefaultSubnet", "d", {
            availabilityZone: "eu-west-1a",
            mapPublicIpOnLaunch: false,
          })
        : res("aws:ec2/subnet:Subnet", "s", {
            vpcId: "vpc-id",
            cidrBlock: "10.0.9.0/24",
            tags: { Tier: tier },
            ...(value === undefined ? {} : { mapPublicIpOnLaunch: value }),
          }),
    ]),
});

const DATA_TIER = "ec2-routetable-disallow-internet-in-data-tier";
/** The data tier's way out: which gateway, which destination, how the route is declared. */
const exits = fc.oneof(
  fc.tuple(
    fc.constantFrom<[string, string]>(["gatewayId", "igw-id"], ["natGatewayId", "nat-id"]),
    fc.constantFrom<[string, string]>(
      ["cidrBlock", "0.0.0.0/0"],
      ["cidrBlock", "0.0.0.0/1"],
      ["cidrBlock", "52.94.0.0/16"],
      ["ipv6CidrBlock", "::/0"],
    ),
    fc.boolean(),
  ),
  // An egress-only internet gateway takes IPv6 out to the internet.
  fc.tuple(
    fc.constant<[string, string]>(["egressOnlyGatewayId", "eigw-id"]),
    fc.constantFrom<[string, string]>(["ipv6CidrBlock", "::/0"], ["ipv6CidrBlock", "2000::/3"]),
    fc.boolean(),
  ),
);
/** How the data subnet finds its table: an explicit association, or the VPC's main table. */
const dataTableBy = fc.constantFrom("association", "main table", "MainRouteTableAssociation");
function dataTier(
  by: string,
  tagOn: "table" | "subnet",
  tag: [string, string],
  routes: [[string, string], [string, string], boolean][],
): ResourceRecord[] {
  const base = network
    .filter((r) => r.name !== "assoc-data" || by === "association")
    .map((r) => {
      if (r.name === "data")
        return res(r.type, r.name, {
          ...r.inputs,
          tags: tagOn === "subnet" ? { [tag[0]]: tag[1] } : { Name: "d" },
        });
      if (r.name === "rt-data")
        return res(r.type, r.name, {
          vpcId: "vpc-id",
          tags: tagOn === "table" ? { [tag[0]]: tag[1] } : { Name: "d" },
          routes: routes
            .filter(([, , inline]) => inline)
            .map(([[gk, gv], [dk, dv]]) => ({ [dk]: dv, [gk]: gv })),
        });
      // With the main table as the data subnet's, the other subnets need explicit associations.
      if (r.name === "vpc" && by === "main table")
        return res(r.type, r.name, r.inputs, { outputs: { mainRouteTableId: "rt-data-id" } });
      return r;
    });
  return [
    ...base,
    ...(by === "MainRouteTableAssociation"
      ? [
          res("aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation", "main", {
            vpcId: "vpc-id",
            routeTableId: "rt-data-id",
          }),
        ]
      : []),
    ...routes
      .filter(([, , inline]) => !inline)
      .map(([[gk, gv], [dk, dv]], i) =>
        res("aws:ec2/route:Route", `data-out-${i}`, {
          routeTableId: "rt-data-id",
          [dk === "cidrBlock" ? "destinationCidrBlock" : "destinationIpv6CidrBlock"]: dv,
          [gk]: gv,
        }),
      ),
  ];
}
const dataTag = fc
  .tuple(anyCase("tier"), anyCase("data"))
  .map(([k, v]) => [k, v] as [string, string]);
family({
  policy: DATA_TIER,
  name: "a data-tier table (tag on the table or its subnet, any case; explicit association, main table or MainRouteTableAssociation) with a route to an internet, egress-only internet or NAT gateway, inline or as aws.ec2.Route",
  caught: true,
  variants: fc
    .tuple(
      dataTableBy,
      fc.constantFrom<"table" | "subnet">("table", "subnet"),
      dataTag,
      fc.array(exits, { minLength: 1, maxLength: 3 }),
    )
    .map(([by, on, tag, routes]) => dataTier(by, on, tag, routes)),
});
family({
  policy: DATA_TIER,
  name: "a data-tier table with only local routes and VPC endpoints, however it is tagged and associated",
  caught: false,
  variants: fc
    .tuple(
      dataTableBy,
      fc.constantFrom<"table" | "subnet">("table", "subnet"),
      dataTag,
      fc.boolean(),
    )
    .map(([by, on, tag, endpoint]) => [
      ...dataTier(by, on, tag, []),
      ...(endpoint
        ? [
            res("aws:ec2/vpcEndpoint:VpcEndpoint", "s3-endpoint", {
              vpcId: "vpc-id",
              serviceName: "com.amazonaws.eu-west-1.s3",
              vpcEndpointType: "Gateway",
              routeTableIds: ["rt-data-id"],
            }),
          ]
        : []),
    ]),
});
