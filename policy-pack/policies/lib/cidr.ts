/**
 * CIDR containment for IPv4 and IPv6, for the pack's own use (the pack runs alone under
 * `pulumi preview --policy-pack`, so it carries no import from the platform's code).
 */

interface Range {
  readonly v6: boolean;
  readonly base: bigint;
  readonly prefix: number;
}

function parseV4(address: string): bigint | undefined {
  const parts = address.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255))
    return undefined;
  return parts.reduce((acc, p) => acc * 256n + BigInt(p), 0n);
}

function parseV6(address: string): bigint | undefined {
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.reduce((acc, g) => acc * 65536n + BigInt(parseInt(g, 16)), 0n);
}

/** Parses a CIDR (a bare address counts as a /32 or /128); undefined when it is not one. */
export function parseRange(text: string): Range | undefined {
  const [address, prefixText] = text.trim().split("/");
  const v6 = address.includes(":");
  const bits = v6 ? 128 : 32;
  const base = v6 ? parseV6(address) : parseV4(address);
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > bits)
    return undefined;
  const hostBits = BigInt(bits - prefix);
  return { v6, base: (base >> hostBits) << hostBits, prefix };
}

/** Whether `inner` lies inside `outer` (same address family). */
export function rangeContains(outer: string, inner: string): boolean {
  const o = parseRange(outer);
  const i = parseRange(inner);
  if (!o || !i || o.v6 !== i.v6 || i.prefix < o.prefix) return false;
  const shift = BigInt((o.v6 ? 128 : 32) - o.prefix);
  return i.base >> shift === o.base >> shift;
}

/** Whether the range is the whole internet of its family (0.0.0.0/0 or ::/0). */
export function isAnywhere(text: string): boolean {
  const r = parseRange(text);
  return r !== undefined && r.prefix === 0;
}
