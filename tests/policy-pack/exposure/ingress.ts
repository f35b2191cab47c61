/**
 * Families of the internet-ingress policies (IPv6 sets, configured breadth and ports, WinRM,
 * prefix list entries as resources) and of the public-subnet-to-data policy.
 */
import fc from "fast-check";
import { res } from "../fixtures";
import {
  family,
  ingress,
  listRefs,
  mechanisms,
  networkWith,
  protocols,
  publicBy,
  publicV6Sets,
  rangeWith,
  splitBlock,
  type Mechanism,
} from "./harness";

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
  ["aws:neptune/cluster:Cluster", (g) => ({ vpcSecurityGroupIds: [g] })],
  ["aws:elasticache/cluster:Cluster", (g) => ({ engine: "redis", securityGroupIds: [g] })],
  ["aws:memorydb/cluster:Cluster", (g) => ({ securityGroupIds: [g] })],
  [
    "aws:elasticsearch/domain:Domain",
    (g) => ({ vpcOptions: { subnetIds: ["data-id"], securityGroupIds: [g] } }),
  ],
];
const dataStore = fc.constantFrom(...DATA_STORES);
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
