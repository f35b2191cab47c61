/**
 * The harness of the exposure and transit families: a registry of variant families (the family and
 * its run: ../families/family.ts) and generators shared by the families (CIDR splits, ingress written through
 * every mechanism, the three-tier network with its public subnet made public in each way).
 * Property names are those of @pulumi/aws 7 (node_modules/@pulumi/aws/**.d.ts).
 */
import fc from "fast-check";
import { ResourceRecord } from "../../../tools/engine";
import { Family } from "../families/family";
import { network } from "../cases";
import { res } from "../fixtures";

export const FAMILIES: Family[] = [];
export const family = (f: Family) => FAMILIES.push(f);

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
export function splitBlock(
  base: bigint,
  prefix: number,
  v6: boolean,
  most = 5,
): fc.Arbitrary<string[]> {
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
export const publicV6Sets = fc
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

export type Mechanism = "inline" | "rule" | "vpc" | "list" | "entries" | "list+entries";
export const mechanisms = fc.constantFrom<Mechanism>(
  "inline",
  "rule",
  "vpc",
  "list",
  "entries",
  "list+entries",
);
/** Where a rule that names a prefix list is written. */
export type ListRef = "inline" | "rule" | "vpc";
export const listRefs = fc.constantFrom<ListRef>("inline", "rule", "vpc");
export const protocols = fc.constantFrom("tcp", "TCP", "6", "-1", "all");
export const rangeWith = (port: number) =>
  fc.tuple(fc.integer({ min: 0, max: port }), fc.integer({ min: port, max: 65535 }));

const isV6 = (c: string) => c.includes(":");

/**
 * Ingress to the group `g` (id `group`) from `cidrs` on `proto` `from`-`to`, through one mechanism.
 * Prefix lists carry one address family each; with "list+entries" the first entry is declared in
 * the list and the others as aws.ec2.ManagedPrefixListEntry resources.
 */
export function ingress(
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

/** The network fixture, its public subnet public by an explicit association or by the main table. */
export const publicBy = fc.constantFrom("association", "main table", "MainRouteTableAssociation");
export function networkWith(how: string): ResourceRecord[] {
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
