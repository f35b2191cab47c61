/**
 * Property-based tests of the mandatory policies on network exposure and data in transit: for
 * each, families of generated variants that mean the same as a known weakness (IPv6 sets that
 * cover the public space, sources broader than a configured prefix, prefix lists whose entries are
 * separate resources, every path to a public address, every way to share a snapshot with
 * everyone, TLS settings at every level) must all be caught, and families of secure variants
 * written differently must all pass. properties.spec.ts holds the first families and the noise
 * families of every mandatory policy; this file adds the exposure and transit ones.
 *
 * Property names are those of @pulumi/aws 7 (node_modules/@pulumi/aws/**.d.ts).
 */
import { expect } from "chai";
import fc from "fast-check";
import { policies } from "../../policy-pack/policies";
import { ResourceRecord } from "../../tools/engine";
import { runPolicies } from "../../tools/policy/run";
import { network } from "./cases";
import { res } from "./fixtures";

const RUNS = { numRuns: 25 };

function findings(policy: string, resources: readonly ResourceRecord[], config = {}) {
  const only = policies.filter((p) => p.name === policy);
  expect(only, `no policy ${policy}`).to.have.length(1);
  return runPolicies(resources, only, config).violations.filter(
    (f) => f.policy === policy && f.enforcementLevel === "mandatory",
  );
}

interface Family {
  readonly policy: string;
  readonly name: string;
  readonly caught: boolean;
  readonly variants: fc.Arbitrary<ResourceRecord[]>;
  readonly config?: object;
}

const FAMILIES: Family[] = [];
const family = (f: Family) => FAMILIES.push(f);

/** Flips the case of some letters of a string, as a tag key or value might be written. */
const anyCase = (s: string) =>
  fc
    .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map((up) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(""));

// ---- CIDR sets -----------------------------------------------------------------------------

function format(base: bigint, prefix: number, v6: boolean): string {
  if (!v6)
    return `${[24n, 16n, 8n, 0n].map((s) => String((base >> s) & 255n)).join(".")}/${prefix}`;
  const groups = Array.from({ length: 8 }, (_, i) =>
    ((base >> BigInt(112 - 16 * i)) & 0xffffn).toString(16),
  );
  return `${groups.join(":")}/${prefix}`;
}

/** A random split of one block into smaller blocks whose union is exactly that block. */
function splitBlock(base: bigint, prefix: number, v6: boolean, most = 5): fc.Arbitrary<string[]> {
  const bits = v6 ? 128 : 32;
  return fc.array(fc.nat(7), { maxLength: most }).map((choices) => {
    const blocks = [{ base, prefix }];
    for (const c of choices) {
      const b = blocks.splice(c % blocks.length, 1)[0];
      const half = 1n << BigInt(bits - b.prefix - 1);
      blocks.push(
        { base: b.base, prefix: b.prefix + 1 },
        { base: b.base + half, prefix: b.prefix + 1 },
      );
    }
    return blocks.map((b) => format(b.base, b.prefix, v6));
  });
}

/** 2000::/3, the global unicast space (all public IPv6), split or whole. */
const GLOBAL_UNICAST = 0x2000n << 112n;
const publicV6Sets = fc
  .tuple(
    splitBlock(GLOBAL_UNICAST, 3, true),
    // Sets broader than 2000::/3 that contain it, and harmless extras that change nothing.
    fc.constantFrom<string[]>([], ["fc00::/7"], ["::/1"], ["fe80::/10", "fd00::/8"]),
  )
  .map(([parts, extra]) => [...parts, ...extra]);

// ---- ingress written through every mechanism ----------------------------------------------

const SG = "aws:ec2/securityGroup:SecurityGroup";
const SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const PL = "aws:ec2/managedPrefixList:ManagedPrefixList";
const PL_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry";

type Mechanism = "inline" | "rule" | "vpc" | "list" | "entries" | "list+entries";
const mechanisms = fc.constantFrom<Mechanism>(
  "inline",
  "rule",
  "vpc",
  "list",
  "entries",
  "list+entries",
);
/** Where a rule that names a prefix list is written. */
type ListRef = "inline" | "rule" | "vpc";
const listRefs = fc.constantFrom<ListRef>("inline", "rule", "vpc");
const protocols = fc.constantFrom("tcp", "TCP", "6", "-1", "all");
const rangeWith = (port: number) =>
  fc.tuple(fc.integer({ min: 0, max: port }), fc.integer({ min: port, max: 65535 }));

const isV6 = (c: string) => c.includes(":");

/**
 * Ingress to the group `g` (id `group`) from `cidrs` on `proto` `from`-`to`, through one mechanism.
 * Prefix lists carry one address family each; with "list+entries" the first entry is declared in
 * the list and the others as aws.ec2.ManagedPrefixListEntry resources.
 */
function ingress(
  m: Mechanism,
  ref: ListRef,
  cidrs: readonly string[],
  proto: string,
  from: number,
  to: number,
  group = "g",
): ResourceRecord[] {
  const all = proto === "-1" || proto === "all";
  const ports = all ? { fromPort: 0, toPort: 0 } : { fromPort: from, toPort: to };
  const gid = `${group}-id`;
  switch (m) {
    case "inline":
      return [
        res(SG, group, {
          ingress: [
            {
              protocol: proto,
              ...ports,
              cidrBlocks: cidrs.filter((c) => !isV6(c)),
              ipv6CidrBlocks: cidrs.filter(isV6),
            },
          ],
        }),
      ];
    case "rule":
      return [
        res(SG, group, {}),
        ...cidrs.map((c, i) =>
          res(SG_RULE, `${group}-r${i}`, {
            type: "ingress",
            securityGroupId: gid,
            protocol: proto,
            ...ports,
            [isV6(c) ? "ipv6CidrBlocks" : "cidrBlocks"]: [c],
          }),
        ),
      ];
    case "vpc":
      return [
        res(SG, group, {}),
        ...cidrs.map((c, i) =>
          res(INGRESS, `${group}-r${i}`, {
            securityGroupId: gid,
            ipProtocol: proto,
            ...(all ? {} : ports),
            [isV6(c) ? "cidrIpv6" : "cidrIpv4"]: c,
          }),
        ),
      ];
    default: {
      const families = [cidrs.filter((c) => !isV6(c)), cidrs.filter(isV6)].filter((f) => f.length);
      const out: ResourceRecord[] = [];
      const listIds: string[] = [];
      families.forEach((members, k) => {
        const name = `${group}-pl${k}`;
        listIds.push(`${name}-id`);
        const inList = m === "list" ? members : m === "list+entries" ? members.slice(0, 1) : [];
        out.push(
          res(PL, name, {
            addressFamily: isV6(members[0]) ? "IPv6" : "IPv4",
            maxEntries: 64,
            ...(inList.length ? { entries: inList.map((cidr) => ({ cidr })) } : {}),
          }),
        );
        members
          .filter((c) => !inList.includes(c))
          .forEach((cidr, i) =>
            out.push(res(PL_ENTRY, `${name}-e${i}`, { prefixListId: `${name}-id`, cidr })),
          );
      });
      if (ref === "inline")
        return [
          ...out,
          res(SG, group, { ingress: [{ protocol: proto, ...ports, prefixListIds: listIds }] }),
        ];
      if (ref === "rule")
        return [
          ...out,
          res(SG, group, {}),
          res(SG_RULE, `${group}-r`, {
            type: "ingress",
            securityGroupId: gid,
            protocol: proto,
            ...ports,
            prefixListIds: listIds,
          }),
        ];
      return [
        ...out,
        res(SG, group, {}),
        ...listIds.map((id, i) =>
          res(INGRESS, `${group}-r${i}`, {
            securityGroupId: gid,
            ipProtocol: proto,
            ...(all ? {} : ports),
            prefixListId: id,
          }),
        ),
      ];
    }
  }
}

const INTERNET = "ec2-ingress-disallow-internet";
const SERVICE = "ec2-ingress-disallow-internet-service-ports";
const ADMIN = "ec2-ingress-enforce-admin-allowlist";

for (const [policy, port] of [
  [ADMIN, 3389],
  [INTERNET, 8443],
  [SERVICE, 5985],
] as const) {
  family({
    policy,
    name: `port ${port} from 2000::/3 (whole or split, with or without other IPv6 blocks), any mechanism including prefix list entries as separate resources`,
    caught: true,
    variants: fc
      .tuple(publicV6Sets, mechanisms, listRefs, protocols, rangeWith(port))
      .map(([cidrs, m, ref, proto, [a, b]]) => ingress(m, ref, cidrs, proto, a, b)),
  });
  family({
    policy,
    name: `port ${port} from a split of 0.0.0.0/0 whose parts are aws.ec2.ManagedPrefixListEntry resources (with or without entries in the list)`,
    caught: true,
    variants: fc
      .tuple(
        splitBlock(0n, 0, false),
        fc.constantFrom<Mechanism>("entries", "list+entries"),
        listRefs,
        protocols,
        rangeWith(port),
      )
      .map(([cidrs, m, ref, proto, [a, b]]) => ingress(m, ref, cidrs, proto, a, b)),
  });
  family({
    policy,
    name: `port ${port} from IPv6 sets that miss public space: ULA, link-local, documentation, one /48 of public space`,
    caught: false,
    variants: fc
      .tuple(
        fc.subarray(["fd00::/8", "fc00::/7", "fe80::/10", "2001:db8::/32", "2600:1f18:4a3b::/48"], {
          minLength: 1,
        }),
        mechanisms,
        listRefs,
      )
      .map(([cidrs, m, ref]) => ingress(m, ref, cidrs, "tcp", port, port)),
    config:
      policy === ADMIN
        ? {
            [ADMIN]: {
              allowedAdminCidrs: ["fc00::/7", "fe80::/10", "2001:db8::/32", "2600:1f18:4a3b::/48"],
            },
          }
        : {},
  });
  // A non-default breadth: a /20 of public space is the internet when the limit is /24, and a
  // /12 is not when the limit is /8 (the defaults are /16 and /32).
  family({
    policy,
    name: `port ${port} from a public source broader than a configured minPublicPrefixV4/V6`,
    caught: true,
    variants: fc
      .tuple(
        fc.integer({ min: 17, max: 23 }),
        fc.integer({ min: 33, max: 47 }),
        fc.boolean(),
        mechanisms,
        listRefs,
        rangeWith(port),
      )
      .map(([p4, p6, v6, m, ref, [a, b]]) =>
        ingress(m, ref, [v6 ? `2600::/${p6}` : `64.0.0.0/${p4}`], "tcp", a, b),
      ),
    config: { [policy]: { minPublicPrefixV4: 24, minPublicPrefixV6: 48 } },
  });
  family({
    policy,
    name: `port ${port} from a public source no broader than a relaxed minPublicPrefixV4/V6`,
    caught: false,
    variants: fc
      .tuple(
        fc.integer({ min: 8, max: 15 }),
        fc.integer({ min: 20, max: 31 }),
        fc.boolean(),
        mechanisms,
        listRefs,
      )
      .map(([p4, p6, v6, m, ref]) =>
        ingress(m, ref, [v6 ? `2600::/${p6}` : `64.0.0.0/${p4}`], "tcp", port, port),
      ),
    config: {
      [policy]: {
        minPublicPrefixV4: 8,
        minPublicPrefixV6: 20,
        ...(policy === ADMIN ? { allowedAdminCidrs: ["64.0.0.0/8", "2600::/20"] } : {}),
      },
    },
  });
}

// WinRM (5985 HTTP, 5986 HTTPS) is a service port, whatever the group is attached to.
family({
  policy: SERVICE,
  name: "WinRM 5985 or 5986 from the internet (0.0.0.0/0 split, ::/0, 2000::/3), in a range, every spelling and mechanism, even on a load balancer's group",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(5985, 5986),
      fc.oneof(splitBlock(0n, 0, false), fc.constant(["::/0"]), publicV6Sets),
      mechanisms,
      listRefs,
      protocols,
      fc.boolean(),
    )
    .chain(([port, cidrs, m, ref, proto, lb]) =>
      rangeWith(port).map(([a, b]) => [
        ...ingress(m, ref, cidrs, proto, a, b),
        ...(lb
          ? [res("aws:lb/loadBalancer:LoadBalancer", "alb", { securityGroups: ["g-id"] })]
          : []),
      ]),
    ),
});
// Non-default port lists: what the configuration names is judged, what it leaves out is not.
family({
  policy: SERVICE,
  name: "a port in a non-default servicePorts list (ArangoDB 8529, Neo4j 7474), from the internet, in a containing range",
  caught: true,
  variants: fc
    .tuple(fc.constantFrom(8529, 7474), mechanisms, listRefs, protocols)
    .chain(([port, m, ref, proto]) =>
      rangeWith(port).map(([a, b]) => ingress(m, ref, ["0.0.0.0/0"], proto, a, b)),
    ),
  config: { [SERVICE]: { servicePorts: [8529, 7474] } },
});
family({
  policy: SERVICE,
  name: "a default service port (5432, 5985) from the internet when servicePorts lists others",
  caught: false,
  variants: fc
    .tuple(fc.constantFrom(5432, 5985, 3306), mechanisms, listRefs)
    .map(([port, m, ref]) => ingress(m, ref, ["0.0.0.0/0"], "tcp", port, port)),
  config: { [SERVICE]: { servicePorts: [8529, 7474] } },
});
family({
  policy: ADMIN,
  name: "a port in a non-default adminPorts list from the internet or outside the allow-list, in a containing range",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(2222, 5985, 8022),
      fc.constantFrom(["0.0.0.0/0"], ["::/0"], ["10.9.0.0/16"]),
      mechanisms,
      listRefs,
      fc.constantFrom("tcp", "6", "-1"),
    )
    .chain(([port, cidrs, m, ref, proto]) =>
      rangeWith(port).map(([a, b]) => ingress(m, ref, cidrs, proto, a, b)),
    ),
  config: { [ADMIN]: { adminPorts: [2222, 5985, 8022], allowedAdminCidrs: ["10.1.0.0/16"] } },
});
family({
  policy: ADMIN,
  name: "a non-default adminPorts list admitted from the allow-list only, and 22 no longer an admin port",
  caught: false,
  variants: fc
    .tuple(fc.constantFrom(2222, 22), mechanisms, listRefs)
    .map(([port, m, ref]) =>
      ingress(m, ref, port === 22 ? ["10.9.0.0/16"] : ["10.1.0.0/24"], "tcp", port, port),
    ),
  config: { [ADMIN]: { adminPorts: [2222], allowedAdminCidrs: ["10.1.0.0/16"] } },
});
family({
  policy: INTERNET,
  name: "SSH from the internet once adminPorts no longer lists 22 (it is an ordinary port then)",
  caught: true,
  variants: fc
    .tuple(splitBlock(0n, 0, false), mechanisms, listRefs, rangeWith(22))
    .map(([cidrs, m, ref, [a, b]]) => ingress(m, ref, cidrs, "tcp", a, b)),
  config: { [INTERNET]: { adminPorts: [2222] } },
});
family({
  policy: INTERNET,
  name: "a port listed in a non-default adminPorts, from the internet (the admin allow-list judges it)",
  caught: false,
  variants: fc
    .tuple(splitBlock(0n, 0, false), mechanisms, listRefs)
    .map(([cidrs, m, ref]) => ingress(m, ref, cidrs, "tcp", 2222, 2222)),
  config: { [INTERNET]: { adminPorts: [2222] } },
});

// ---- data stores admit the app tier, never a public subnet ---------------------------------

const TO_DATA = "ec2-ingress-disallow-public-subnet-to-data";
/** Data stores and where each names its security groups. */
const DATA_STORES: readonly (readonly [string, (g: string) => Record<string, unknown>])[] = [
  ["aws:rds/instance:Instance", (g) => ({ engine: "postgres", vpcSecurityGroupIds: [g] })],
  ["aws:rds/cluster:Cluster", (g) => ({ engine: "aurora-postgresql", vpcSecurityGroupIds: [g] })],
  ["aws:rds/proxy:Proxy", (g) => ({ engineFamily: "POSTGRESQL", vpcSecurityGroupIds: [g] })],
  ["aws:elasticache/replicationGroup:ReplicationGroup", (g) => ({ securityGroupIds: [g] })],
  ["aws:elasticache/serverlessCache:ServerlessCache", (g) => ({ securityGroupIds: [g] })],
  ["aws:efs/mountTarget:MountTarget", (g) => ({ subnetId: "data-id", securityGroups: [g] })],
  ["aws:redshift/cluster:Cluster", (g) => ({ vpcSecurityGroupIds: [g] })],
  ["aws:redshiftserverless/workgroup:Workgroup", (g) => ({ securityGroupIds: [g] })],
  [
    "aws:opensearch/domain:Domain",
    (g) => ({ vpcOptions: { subnetIds: ["data-id"], securityGroupIds: [g] } }),
  ],
  ["aws:docdb/cluster:Cluster", (g) => ({ vpcSecurityGroupIds: [g] })],
];
const dataStore = fc.constantFrom(...DATA_STORES);
/** The network fixture, its public subnet public by an explicit association or by the main table. */
const publicBy = fc.constantFrom("association", "main table", "MainRouteTableAssociation");
function networkWith(how: string): ResourceRecord[] {
  if (how === "association") return [...network];
  const withoutAssoc = network.filter((r) => r.name !== "assoc-pub");
  if (how === "main table")
    return withoutAssoc.map((r) =>
      r.name === "vpc"
        ? res(r.type, r.name, r.inputs, { outputs: { mainRouteTableId: "rt-pub-id" } })
        : r,
    );
  return [
    ...withoutAssoc,
    res("aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation", "main", {
      vpcId: "vpc-id",
      routeTableId: "rt-pub-id",
    }),
  ];
}
family({
  policy: TO_DATA,
  name: "any data store admitting the public subnet's CIDR, a block containing it, or public addresses, through any mechanism, the subnet public by association, main table or MainRouteTableAssociation",
  caught: true,
  variants: fc
    .tuple(
      dataStore,
      publicBy,
      fc.constantFrom(
        ["10.0.0.0/24"],
        ["10.0.0.0/23"],
        ["10.0.0.0/16"],
        ["10.0.0.128/25"],
        ["0.0.0.0/0"],
        ["198.51.99.0/24"],
        ["2600:1f18::/56"],
        ["10.0.1.0/24", "10.0.0.0/26"],
      ),
      mechanisms,
      listRefs,
      fc.constantFrom("tcp", "-1", "all"),
    )
    .map(([[type, props], how, cidrs, m, ref, proto]) => [
      ...networkWith(how),
      res(type, "store", props("db-sg-id")),
      ...ingress(m, ref, cidrs, proto, 5432, 5432, "db-sg"),
    ]),
});
family({
  policy: TO_DATA,
  name: "any data store admitting only the app or data subnets' CIDRs, through any mechanism",
  caught: false,
  variants: fc
    .tuple(
      dataStore,
      publicBy,
      fc.subarray(["10.0.1.0/24", "10.0.2.0/24", "10.0.1.0/25", "10.0.2.128/25"], {
        minLength: 1,
      }),
      mechanisms,
      listRefs,
    )
    .map(([[type, props], how, cidrs, m, ref]) => [
      ...networkWith(how),
      res(type, "store", props("db-sg-id")),
      ...ingress(m, ref, cidrs, "tcp", 5432, 5432, "db-sg"),
    ]),
});

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

// ---- publicly accessible databases, warehouses, search domains ------------------------------

const RDS_PUBLIC = "rds-instance-disallow-public-access";
// aws.rds.Cluster has no publiclyAccessible in @pulumi/aws 7 (clusterInstance and instance do):
// an Aurora cluster is public through its instances.
const RDS_HOLDERS = ["aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance"];
family({
  policy: RDS_PUBLIC,
  name: "a publicly accessible RDS instance or Aurora cluster instance, any engine",
  caught: true,
  variants: fc
    .tuple(fc.constantFrom(...RDS_HOLDERS), fc.constantFrom("postgres", "aurora-mysql", "mariadb"))
    .map(([type, engine]) => [
      res(type, "db", { engine, instanceClass: "db.r6g.large", publiclyAccessible: true }),
    ]),
});
family({
  policy: RDS_PUBLIC,
  name: "RDS instances and cluster instances that are not public, said or by default",
  caught: false,
  variants: fc
    .tuple(fc.constantFrom(...RDS_HOLDERS), fc.constantFrom<unknown>(false, undefined))
    .map(([type, flag]) => [
      res(type, "db", {
        engine: "postgres",
        instanceClass: "db.r6g.large",
        ...(flag === undefined ? {} : { publiclyAccessible: flag }),
      }),
      res("aws:rds/cluster:Cluster", "c", { engine: "aurora-postgresql" }),
    ]),
});
const REDSHIFT_PUBLIC = "redshift-cluster-disallow-public-access";
// @pulumi/aws 7 documents the cluster's flag as false by default (redshift/cluster.d.ts); the
// workgroup's page states no default, and the pack refuses only true there, as before.
const redshift = (serverless: boolean, flag: unknown) => {
  const set = flag === undefined ? {} : { publiclyAccessible: flag };
  return serverless
    ? [res("aws:redshiftserverless/workgroup:Workgroup", "wg", { namespaceName: "ns", ...set })]
    : [res("aws:redshift/cluster:Cluster", "wh", { nodeType: "ra3.xlplus", ...set })];
};
family({
  policy: REDSHIFT_PUBLIC,
  name: "a publicly accessible Redshift cluster or Redshift Serverless workgroup",
  caught: true,
  variants: fc.boolean().map((serverless) => redshift(serverless, true)),
});
family({
  policy: REDSHIFT_PUBLIC,
  name: "Redshift clusters and workgroups that say false or nothing (the provider's default is false)",
  caught: false,
  variants: fc
    .tuple(fc.boolean(), fc.constantFrom<unknown>(false, undefined))
    .map(([serverless, flag]) => redshift(serverless, flag)),
});
const SEARCH_PUBLIC = "opensearch-domain-disallow-public-access";
const DOMAINS = ["aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"];
family({
  policy: SEARCH_PUBLIC,
  name: "an OpenSearch or Elasticsearch domain without VPC subnets (no vpcOptions, empty, groups only)",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(...DOMAINS),
      fc.constantFrom<unknown>(undefined, {}, { subnetIds: [] }, { securityGroupIds: ["sg-1"] }),
    )
    .map(([type, vpc]) => [res(type, "search", vpc === undefined ? {} : { vpcOptions: vpc })]),
});
family({
  policy: SEARCH_PUBLIC,
  name: "domains in one or several VPC subnets",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(...DOMAINS),
      fc.subarray(["data-id", "data2-id", "data3-id"], { minLength: 1 }),
    )
    .map(([type, subnets]) => [
      res(type, "search", { vpcOptions: { subnetIds: subnets, securityGroupIds: ["sg-1"] } }),
    ]),
});

// ---- S3: public access block at bucket or account level, ACLs --------------------------------

const S3_PUBLIC = "s3-bucket-disallow-public-access";
const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const ACCOUNT_PAB = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock";
const blockOf = (on: readonly string[]) =>
  Object.fromEntries(FLAGS.map((f) => [f, on.includes(f)]));
family({
  policy: S3_PUBLIC,
  name: "a bucket whose effective block (bucket and account together) leaves a flag off, or whose block names another bucket",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(...BUCKET_TYPES),
      fc.constantFrom(...FLAGS),
      fc.constantFrom("bucket", "account", "split", "other bucket"),
      fc.boolean(),
    )
    .map(([type, off, where, byId]) => {
      const on = FLAGS.filter((f) => f !== off);
      const bucket = res(type, "docs", { bucket: "docs-1" });
      const name = byId ? "docs-id" : "docs-1";
      if (where === "bucket") return [bucket, res(PAB, "pab", { bucket: name, ...blockOf(on) })];
      if (where === "account") return [bucket, res(ACCOUNT_PAB, "acct", blockOf(on))];
      if (where === "other bucket")
        return [bucket, res(PAB, "pab", { bucket: "other-1", ...blockOf(FLAGS) })];
      return [
        bucket,
        res(ACCOUNT_PAB, "acct", blockOf(on.slice(0, 2))),
        res(PAB, "pab", { bucket: name, ...blockOf(on.slice(2)) }),
      ];
    }),
});
family({
  policy: S3_PUBLIC,
  name: "a bucket fully blocked by its own block (by name or id), the account's, or the two together",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(...BUCKET_TYPES),
      fc.constantFrom("bucket", "account", "split"),
      fc.boolean(),
      fc.subarray(FLAGS),
    )
    .map(([type, where, byId, atAccount]) => {
      const bucket = res(type, "docs", { bucket: "docs-1" });
      const name = byId ? "docs-id" : "docs-1";
      if (where === "bucket") return [bucket, res(PAB, "pab", { bucket: name, ...blockOf(FLAGS) })];
      if (where === "account") return [bucket, res(ACCOUNT_PAB, "acct", blockOf(FLAGS))];
      // S3 applies the most restrictive combination of the account's and the bucket's settings.
      return [
        bucket,
        res(ACCOUNT_PAB, "acct", blockOf(atAccount)),
        res(PAB, "pab", { bucket: name, ...blockOf(FLAGS.filter((f) => !atAccount.includes(f))) }),
      ];
    }),
});
family({
  policy: S3_PUBLIC,
  name: "a fully blocked bucket with a public canned ACL or a grant to AllUsers or AuthenticatedUsers, on the bucket or an aws.s3.BucketAcl",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom("public-read", "public-read-write", "authenticated-read"),
      fc.constantFrom("AllUsers", "AuthenticatedUsers"),
      fc.constantFrom("bucket", "BucketAcl", "grant"),
    )
    .map(([acl, group, where]) => [
      res("aws:s3/bucket:Bucket", "docs", {
        bucket: "docs-1",
        ...(where === "bucket" ? { acl } : {}),
      }),
      res(PAB, "pab", { bucket: "docs-1", ...blockOf(FLAGS) }),
      ...(where === "BucketAcl"
        ? [res("aws:s3/bucketAcl:BucketAcl", "acl", { bucket: "docs-1", acl })]
        : []),
      ...(where === "grant"
        ? [
            res("aws:s3/bucketAcl:BucketAcl", "acl", {
              bucket: "docs-1",
              accessControlPolicy: {
                owner: { id: "owner" },
                grants: [
                  {
                    permission: "READ",
                    grantee: {
                      type: "Group",
                      uri: `http://acs.amazonaws.com/groups/global/${group}`,
                    },
                  },
                ],
              },
            }),
          ]
        : []),
    ]),
});

// ---- snapshots and images shared with everyone ----------------------------------------------

const SHARING = "ec2-snapshot-disallow-public-sharing";
const RDS_SNAPSHOTS = [
  "aws:rds/snapshot:Snapshot",
  "aws:rds/clusterSnapshot:ClusterSnapshot",
  "aws:rds/snapshotCopy:SnapshotCopy",
  "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy",
];
family({
  policy: SHARING,
  name: 'DB and cluster snapshots and their copies shared with "all" among accounts; EBS create-volume permission and AMI launch permission for "all"',
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(...RDS_SNAPSHOTS, "ebs", "ami"),
      fc.subarray(["111122223333", "444455556666"]),
      fc.nat(2),
    )
    .map(([type, accounts, at]) => {
      if (type === "ebs")
        // The provider's only argument for the grantee is accountId.
        return [
          res("aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission", "share", {
            snapshotId: "snap-1",
            accountId: "all",
          }),
        ];
      if (type === "ami")
        return [
          res("aws:ec2/amiLaunchPermission:AmiLaunchPermission", "share", {
            imageId: "ami-1",
            group: "all",
          }),
        ];
      const shared = [...accounts];
      shared.splice(at % (shared.length + 1), 0, "all");
      return [res(type, "snap", { sharedAccounts: shared })];
    }),
});
family({
  policy: SHARING,
  name: "snapshots and images shared with named accounts, an organization or an OU, or not at all",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(...RDS_SNAPSHOTS, "ebs", "ami"),
      fc.subarray(["111122223333", "444455556666"]),
      fc.nat(2),
    )
    .map(([type, accounts, n]) => {
      if (type === "ebs")
        return [
          res("aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission", "share", {
            snapshotId: "snap-1",
            accountId: "111122223333",
          }),
        ];
      if (type === "ami")
        return [
          res(
            "aws:ec2/amiLaunchPermission:AmiLaunchPermission",
            "share",
            [
              { imageId: "ami-1", accountId: "111122223333" },
              {
                imageId: "ami-1",
                organizationArn: "arn:aws:organizations::111122223333:organization/o-abc123",
              },
              {
                imageId: "ami-1",
                organizationalUnitArn:
                  "arn:aws:organizations::111122223333:ou/o-abc123/ou-ab12-cdef",
              },
            ][n],
          ),
        ];
      return [res(type, "snap", accounts.length ? { sharedAccounts: accounts } : {})];
    }),
});

// ---- in transit: databases, warehouses, proxies, file systems --------------------------------

const RDS_TLS = "rds-parametergroup-enforce-tls";
const PG = "aws:rds/parameterGroup:ParameterGroup";
const CPG = "aws:rds/clusterParameterGroup:ClusterParameterGroup";
/** The engines whose TLS is a parameter, and the parameter that forces it. */
const TLS_ENGINES: readonly (readonly [string, string, string, boolean])[] = [
  ["postgres", "postgres16", "rds.force_ssl", false],
  ["aurora-postgresql", "aurora-postgresql16", "rds.force_ssl", true],
  ["mysql", "mysql8.0", "require_secure_transport", false],
  ["aurora-mysql", "aurora-mysql8.0", "require_secure_transport", true],
  ["mariadb", "mariadb10.11", "require_secure_transport", false],
];
function database(
  [engine, fam, param, cluster]: readonly [string, string, string, boolean],
  value: string | undefined,
  ref: "name" | "id" | "other" | "none",
): ResourceRecord[] {
  const group = res(cluster ? CPG : PG, "params", {
    name: "db-params",
    family: fam,
    parameters: [
      { name: "log_connections", value: "1" },
      ...(value === undefined ? [] : [{ name: param, value, applyMethod: "pending-reboot" }]),
    ].filter((p) => !(p.name === "log_connections" && engine.includes("mysql"))),
  });
  const named = {
    name: "db-params",
    id: "params-id",
    other: "default.postgres16",
    none: undefined,
  }[ref];
  const property = cluster ? "dbClusterParameterGroupName" : "parameterGroupName";
  return [
    group,
    res(cluster ? "aws:rds/cluster:Cluster" : "aws:rds/instance:Instance", "db", {
      engine,
      ...(named === undefined ? {} : { [property]: named }),
    }),
  ];
}
family({
  policy: RDS_TLS,
  name: "PostgreSQL, MySQL and MariaDB instances and Aurora clusters with no group, another group, or a group that leaves TLS optional (0, OFF, absent)",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(...TLS_ENGINES),
      fc.constantFrom<string | undefined>("0", "OFF", "off", undefined),
      fc.constantFrom<"name" | "id" | "other" | "none">("name", "id", "other", "none"),
    )
    .map(([e, value, ref]) => database(e, ref === "name" || ref === "id" ? value : "1", ref)),
});
family({
  policy: RDS_TLS,
  name: "instances and Aurora clusters naming, by name or id, a group that forces TLS (1, ON)",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(...TLS_ENGINES),
      fc.constantFrom("1", "ON"),
      fc.constantFrom<"name" | "id">("name", "id"),
    )
    .map(([e, value, ref]) => database(e, e[2] === "rds.force_ssl" ? "1" : value, ref)),
});

const REDSHIFT_TLS = "redshift-parametergroup-enforce-tls";
const RS_PG = "aws:redshift/parameterGroup:ParameterGroup";
const WORKGROUP = "aws:redshiftserverless/workgroup:Workgroup";
family({
  policy: REDSHIFT_TLS,
  name: 'a Redshift cluster with no group, another group or require_ssl "false"; a Serverless workgroup with require_ssl "false"',
  caught: true,
  variants: fc
    .tuple(fc.constantFrom("none", "other", "false", "absent", "workgroup"), fc.boolean())
    .map(([how, byId]) => {
      if (how === "workgroup")
        return [
          res(WORKGROUP, "wg", {
            namespaceName: "ns",
            configParameters: [
              { parameterKey: "enable_user_activity_logging", parameterValue: "true" },
              { parameterKey: "require_ssl", parameterValue: "false" },
            ],
          }),
        ];
      const params = how === "false" ? [{ name: "require_ssl", value: "false" }] : [];
      return [
        res(RS_PG, "params", {
          name: "wh-params",
          family: "redshift-2.0",
          parameters: [{ name: "enable_user_activity_logging", value: "true" }, ...params],
        }),
        res("aws:redshift/cluster:Cluster", "wh", {
          ...(how === "none"
            ? {}
            : {
                clusterParameterGroupName:
                  how === "other" ? "default.redshift-2.0" : byId ? "params-id" : "wh-params",
              }),
        }),
      ];
    }),
});
family({
  policy: REDSHIFT_TLS,
  name: 'a Redshift cluster naming, by name or id, a group with require_ssl "true"; a workgroup with require_ssl "true"',
  caught: false,
  variants: fc.tuple(fc.boolean(), fc.boolean()).map(([serverless, byId]) =>
    serverless
      ? [
          res(WORKGROUP, "wg", {
            namespaceName: "ns",
            configParameters: [{ parameterKey: "require_ssl", parameterValue: "true" }],
          }),
        ]
      : [
          res(RS_PG, "params", {
            name: "wh-params",
            family: "redshift-2.0",
            parameters: [
              { name: "require_ssl", value: "true" },
              { name: "enable_user_activity_logging", value: "true" },
            ],
          }),
          res("aws:redshift/cluster:Cluster", "wh", {
            clusterParameterGroupName: byId ? "params-id" : "wh-params",
          }),
        ],
  ),
});

const PROXY_TLS = "rds-proxy-enforce-tls";
const families = fc.constantFrom("POSTGRESQL", "MYSQL", "SQLSERVER");
family({
  policy: PROXY_TLS,
  name: "an RDS Proxy of any engine family with requireTls false or unset",
  caught: true,
  variants: fc.tuple(families, fc.constantFrom<unknown>(false, undefined)).map(([f, tls]) => [
    res("aws:rds/proxy:Proxy", "proxy", {
      engineFamily: f,
      roleArn: "arn:aws:iam::123456789012:role/proxy",
      vpcSubnetIds: ["data-id"],
      auths: [
        {
          authScheme: "SECRETS",
          secretArn: "arn:aws:secretsmanager:eu-west-1:1:secret:db",
          iamAuth: "REQUIRED",
        },
      ],
      ...(tls === undefined ? {} : { requireTls: tls }),
    }),
  ]),
});
family({
  policy: PROXY_TLS,
  name: "an RDS Proxy of any engine family with requireTls true",
  caught: false,
  variants: families.map((f) => [
    res("aws:rds/proxy:Proxy", "proxy", {
      engineFamily: f,
      roleArn: "arn:aws:iam::123456789012:role/proxy",
      vpcSubnetIds: ["data-id"],
      requireTls: true,
    }),
  ]),
});

const EFS_TLS = "efs-filesystem-enforce-tls";
const FS = "aws:efs/fileSystem:FileSystem";
const FS_POLICY = "aws:efs/fileSystemPolicy:FileSystemPolicy";
const fsPolicy = (statements: object[], fileSystemId = "fs-id") => [
  res(FS, "fs", { encrypted: true, kmsKeyId: "phi" }),
  res(FS_POLICY, "fs-policy", {
    fileSystemId,
    policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
  }),
];
const mountAllow = {
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::123456789012:role/app" },
  Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
  Resource: "*",
};
family({
  policy: EFS_TLS,
  name: "a file system whose policy does not deny every principal's mounts without TLS: none, another file system's, a deny of write or root access only, of one principal, an Allow, SecureTransport true",
  caught: true,
  variants: fc
    .constantFrom<[Record<string, unknown>, string?]>(
      [{}, "other"],
      [{ Action: "elasticfilesystem:ClientWrite" }],
      [{ Action: ["elasticfilesystem:ClientRootAccess", "elasticfilesystem:ClientWrite"] }],
      [{ Principal: { AWS: "arn:aws:iam::123456789012:role/app" } }],
      [{ Effect: "Allow" }],
      [{ Condition: { Bool: { "aws:SecureTransport": "true" } } }],
      [{ NotAction: "elasticfilesystem:ClientMount", Action: undefined }],
    )
    .chain(([change, other]) =>
      fc.boolean().map((withAllow) => {
        const deny = {
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "*",
          Resource: "*",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
          ...change,
        };
        return fsPolicy(withAllow ? [mountAllow, deny] : [deny], other ? "other-fs" : "fs-id");
      }),
    ),
});
family({
  policy: EFS_TLS,
  name: "a deny of mounts without TLS to every principal, in each spelling: principal, actions, operator, key case, boolean or string false",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom<unknown>("*", { AWS: "*" }, { AWS: ["*"] }),
      fc.constantFrom<unknown>("*", "elasticfilesystem:*", "elasticfilesystem:Client*", [
        "elasticfilesystem:ClientMount",
        "elasticfilesystem:ClientWrite",
        "elasticfilesystem:ClientRootAccess",
      ]),
      fc.constantFrom("Bool", "BoolIfExists"),
      fc.constantFrom("aws:SecureTransport", "aws:securetransport", "AWS:SecureTransport"),
      fc.constantFrom<unknown>("false", false, ["false"]),
      fc.boolean(),
    )
    .map(([principal, action, op, key, value, withAllow]) => {
      const deny = {
        Effect: "Deny",
        Principal: principal,
        Action: action,
        Resource: "*",
        Condition: { [op]: { [key]: value } },
      };
      return fsPolicy(withAllow ? [mountAllow, deny] : [deny]);
    }),
});

// ---- in transit: CloudFront, ECS, load balancers ---------------------------------------------

const CF_TLS = "cloudfront-distribution-enforce-tls";
const DIST = "aws:cloudfront/distribution:Distribution";
const behavior = (policy: string) => ({
  targetOriginId: "api",
  viewerProtocolPolicy: policy,
  allowedMethods: ["GET", "HEAD"],
  cachedMethods: ["GET", "HEAD"],
  cachePolicyId: "658327ea-f89d-4fab-a63d-7e88639e58f6",
});
const acm = (min?: string) => ({
  acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
  sslSupportMethod: "sni-only",
  ...(min === undefined ? {} : { minimumProtocolVersion: min }),
});
const httpsOrigin = (protocols: string[], policy = "https-only") => ({
  originId: "api",
  domainName: "api.example.org",
  customOriginConfig: {
    httpPort: 80,
    httpsPort: 443,
    originProtocolPolicy: policy,
    originSslProtocols: protocols,
  },
});
function distribution(d: {
  viewer?: string[];
  cert?: Record<string, unknown>;
  origins?: object[];
}): ResourceRecord[] {
  const [first, ...rest] = d.viewer ?? ["redirect-to-https"];
  return [
    res(DIST, "cdn", {
      enabled: true,
      origins: d.origins ?? [httpsOrigin(["TLSv1.2"])],
      defaultCacheBehavior: behavior(first),
      orderedCacheBehaviors: rest.map((p, i) => ({ ...behavior(p), pathPattern: `/p${i}/*` })),
      viewerCertificate: d.cert ?? acm("TLSv1.2_2021"),
      restrictions: { geoRestriction: { restrictionType: "none" } },
    }),
  ];
}
const goodViewer = fc.array(fc.constantFrom("redirect-to-https", "https-only"), {
  minLength: 1,
  maxLength: 3,
});
family({
  policy: CF_TLS,
  name: "viewer minimum TLS below 1.2 (SSLv3, TLSv1, TLSv1_2016, TLSv1.1_2016, unset, the default certificate)",
  caught: true,
  variants: fc
    .tuple(
      goodViewer,
      fc.constantFrom<Record<string, unknown>>(
        acm("SSLv3"),
        acm("TLSv1"),
        acm("TLSv1_2016"),
        acm("TLSv1.1_2016"),
        acm(),
        { cloudfrontDefaultCertificate: true },
        { cloudfrontDefaultCertificate: true, minimumProtocolVersion: "TLSv1.2_2021" },
        {
          iamCertificateId: "ASCACKCEVSQ6C2EXAMPLE",
          sslSupportMethod: "sni-only",
          minimumProtocolVersion: "TLSv1_2016",
        },
      ),
    )
    .map(([viewer, cert]) => distribution({ viewer, cert })),
});
family({
  policy: CF_TLS,
  name: "an origin that allows SSLv3, TLSv1 or TLSv1.1 beside TLSv1.2, or plain HTTP (http-only, match-viewer behind allow-all)",
  caught: true,
  variants: fc
    .tuple(
      fc.subarray(["SSLv3", "TLSv1", "TLSv1.1"], { minLength: 1 }),
      fc.constantFrom("weak", "http-only", "match-viewer"),
      fc.nat(2),
    )
    .map(([weak, how, at]) => {
      if (how === "weak") {
        const protocols = ["TLSv1.2"];
        protocols.splice(at % 2, 0, ...weak);
        return distribution({ origins: [httpsOrigin(protocols)] });
      }
      if (how === "http-only")
        return distribution({ origins: [httpsOrigin(["TLSv1.2"], "http-only")] });
      return distribution({
        viewer: ["redirect-to-https", "allow-all"],
        origins: [httpsOrigin(["TLSv1.2"], "match-viewer")],
      });
    }),
});
family({
  policy: CF_TLS,
  name: "a behavior (default or ordered) that serves plain HTTP (allow-all)",
  caught: true,
  variants: fc.tuple(goodViewer, fc.nat(3)).map(([viewer, at]) => {
    const v: string[] = [...viewer];
    v.splice(at % (v.length + 1), 0, "allow-all");
    return distribution({ viewer: v });
  }),
});
family({
  policy: CF_TLS,
  name: "HTTPS on every behavior, an ACM or IAM certificate at TLSv1.2_2018 or later, origins over TLSv1.2 only (custom or S3)",
  caught: false,
  variants: fc
    .tuple(
      goodViewer,
      fc.constantFrom(
        "TLSv1.2_2018",
        "TLSv1.2_2019",
        "TLSv1.2_2021",
        "TLSv1.2_2025",
        "TLSv1.3_2025",
      ),
      fc.boolean(),
      fc.constantFrom("custom", "match-viewer", "s3"),
    )
    .map(([viewer, min, iam, origin]) =>
      distribution({
        viewer,
        cert: iam
          ? {
              iamCertificateId: "ASCACKCEVSQ6C2EXAMPLE",
              sslSupportMethod: "sni-only",
              minimumProtocolVersion: min,
            }
          : acm(min),
        origins: [
          origin === "s3"
            ? {
                originId: "api",
                domainName: "docs-1.s3.eu-west-1.amazonaws.com",
                originAccessControlId: "oac-1",
              }
            : httpsOrigin(["TLSv1.2"], origin === "custom" ? "https-only" : "match-viewer"),
        ],
      }),
    ),
});

const ECS_TLS = "ecs-taskdefinition-enforce-transit-encryption";
const otherVolumes = fc.subarray([
  { name: "scratch" },
  { name: "host", hostPath: "/var/log" },
  { name: "docker", dockerVolumeConfiguration: { scope: "task", driver: "local" } },
]);
const efsVolume = (name: string, tls: string | undefined, iam: boolean) => ({
  name,
  efsVolumeConfiguration: {
    fileSystemId: "fs-1",
    rootDirectory: "/",
    ...(tls === undefined ? {} : { transitEncryption: tls }),
    ...(iam ? { authorizationConfig: { accessPointId: "fsap-1", iam: "DISABLED" } } : {}),
  },
});
const taskDefinition = (volumes: object[]) => [
  res("aws:ecs/taskDefinition:TaskDefinition", "task", {
    family: "api",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "256",
    memory: "512",
    containerDefinitions: JSON.stringify([{ name: "api", image: "api:1" }]),
    volumes,
  }),
];
family({
  policy: ECS_TLS,
  name: "a task definition with an EFS volume whose transitEncryption is DISABLED or unset, among other volumes",
  caught: true,
  variants: fc
    .tuple(
      otherVolumes,
      fc.constantFrom<string | undefined>("DISABLED", undefined),
      fc.boolean(),
      fc.nat(3),
      fc.boolean(),
    )
    .map(([others, tls, iam, at, secondGood]) => {
      const volumes: object[] = [
        ...others,
        ...(secondGood ? [efsVolume("ok", "ENABLED", false)] : []),
      ];
      volumes.splice(at % (volumes.length + 1), 0, efsVolume("phi", tls, iam));
      return taskDefinition(volumes);
    }),
});
family({
  policy: ECS_TLS,
  name: "task definitions whose EFS volumes all say ENABLED, or that mount no EFS",
  caught: false,
  variants: fc
    .tuple(otherVolumes, fc.nat(2), fc.boolean())
    .map(([others, n, iam]) =>
      taskDefinition([
        ...others,
        ...Array.from({ length: n }, (_, i) => efsVolume(`phi${i}`, "ENABLED", iam)),
      ]),
    ),
});

const HEADERS = "elb-loadbalancer-enable-drop-invalid-headers";
const LB_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const albType = fc.constantFrom<Record<string, unknown>>({}, { loadBalancerType: "application" });
family({
  policy: HEADERS,
  name: "an application load balancer (aws.lb or aws.alb, type said or not, internal or not) that keeps invalid headers",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(...LB_TYPES),
      albType,
      fc.constantFrom<unknown>(false, undefined),
      fc.boolean(),
    )
    .map(([type, kind, drop, internal]) => [
      res(type, "alb", {
        ...kind,
        internal,
        subnets: ["pub-id"],
        ...(drop === undefined ? {} : { dropInvalidHeaderFields: drop }),
      }),
    ]),
});
family({
  policy: HEADERS,
  name: "application load balancers that drop invalid headers; network and gateway load balancers, which have no such setting",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(...LB_TYPES),
      albType,
      fc.constantFrom("application", "network", "gateway"),
    )
    .map(([type, kind, which]) => [
      res(
        type,
        "lb",
        which === "application"
          ? { ...kind, subnets: ["pub-id"], dropInvalidHeaderFields: true }
          : { loadBalancerType: which, subnets: ["pub-id"] },
      ),
    ]),
});

const WAF = "wafv2-loadbalancer-enable-webacl";
const ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";
const ACL_ARN = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/portal/abc";
family({
  policy: WAF,
  name: "an internet-facing application load balancer (aws.lb or aws.alb, internal false or unset) with no web ACL, or one associated with something else",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(...LB_TYPES),
      albType,
      fc.constantFrom<unknown>(false, undefined),
      fc.boolean(),
    )
    .map(([type, kind, internal, other]) => [
      res(type, "alb", {
        ...kind,
        subnets: ["pub-id"],
        ...(internal === undefined ? {} : { internal }),
      }),
      ...(other
        ? [
            res(ASSOCIATION, "waf", {
              resourceArn:
                "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/other/1",
              webAclArn: ACL_ARN,
            }),
          ]
        : []),
    ]),
});
family({
  policy: WAF,
  name: "internet-facing application load balancers associated with a web ACL; internal ones and NLBs without",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(...LB_TYPES),
      albType,
      fc.constantFrom("associated", "internal", "network"),
    )
    .map(([type, kind, how]) => [
      res(
        type,
        "alb",
        how === "network"
          ? { loadBalancerType: "network", subnets: ["pub-id"] }
          : { ...kind, subnets: ["pub-id"], internal: how === "internal" },
      ),
      ...(how === "associated"
        ? [
            res(ASSOCIATION, "waf", {
              resourceArn: "arn:aws:test:eu-west-1:123456789012:alb",
              webAclArn: ACL_ARN,
            }),
          ]
        : []),
    ]),
});

describe("exposure and transit policies, property by property (fast-check)", () => {
  for (const f of FAMILIES) {
    it(`${f.policy}: ${f.caught ? "catches" : "passes"} ${f.name}`, () => {
      fc.assert(
        fc.property(f.variants, (resources) => {
          const found = findings(f.policy, resources, f.config);
          if (f.caught)
            expect(
              found.length,
              JSON.stringify(resources.map((r) => [r.type, r.name, r.inputs])),
            ).to.be.greaterThan(0);
          else
            expect(
              found.map((x) => x.message),
              JSON.stringify(resources.map((r) => [r.type, r.name, r.inputs])),
            ).to.deep.equal([]);
          for (const x of found) expect(x.message).to.not.include("undefined");
        }),
        RUNS,
      );
    });
  }
});
