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

const parsed = new Map<string, Range | undefined>();

/** Parses a CIDR (a bare address counts as a /32 or /128); undefined when it is not one. */
export function parseRange(text: string): Range | undefined {
  if (parsed.has(text)) return parsed.get(text);
  const r = parseUncached(text);
  if (parsed.size < 10_000) parsed.set(text, r);
  return r;
}

function parseUncached(text: string): Range | undefined {
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

/** An address interval [lo, hi] of one family. */
interface Interval {
  readonly lo: bigint;
  readonly hi: bigint;
}

function interval(r: Range): Interval {
  const bits = BigInt(r.v6 ? 128 : 32);
  const size = 1n << (bits - BigInt(r.prefix));
  return { lo: r.base, hi: r.base + size - 1n };
}

/**
 * Addresses that are not on the public internet, per the IANA special-purpose registries (RFC 6890
 * and its updates): https://www.iana.org/assignments/iana-ipv4-special-registry and
 * https://www.iana.org/assignments/iana-ipv6-special-registry. Everything else of IPv4 is public;
 * of IPv6, the public space is the global unicast block 2000::/3 (RFC 4291 section 2.4).
 */
const NON_PUBLIC_V4 = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
];
const GLOBAL_UNICAST_V6 = "2000::/3";
const NON_PUBLIC_V6 = ["2001:db8::/32"];

function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.lo <= last.hi + 1n)
      out[out.length - 1] = { lo: last.lo, hi: last.hi > i.hi ? last.hi : i.hi };
    else out.push(i);
  }
  return out;
}

/** `from` minus the union of `minus`. */
function subtract(from: Interval[], minus: Interval[]): Interval[] {
  const cut = merge(minus);
  const out: Interval[] = [];
  for (const f of merge(from)) {
    let lo = f.lo;
    for (const m of cut) {
      if (m.hi < lo || m.lo > f.hi) continue;
      if (m.lo > lo) out.push({ lo, hi: m.lo - 1n });
      lo = m.hi + 1n;
      if (lo > f.hi) break;
    }
    if (lo <= f.hi) out.push({ lo, hi: f.hi });
  }
  return out;
}

const ranges = (cidrs: readonly string[]) =>
  cidrs.map(parseRange).filter((r): r is Range => r !== undefined);

const PUBLIC_V4 = subtract([{ lo: 0n, hi: (1n << 32n) - 1n }], ranges(NON_PUBLIC_V4).map(interval));
const PUBLIC_V6 = subtract(
  ranges([GLOBAL_UNICAST_V6]).map(interval),
  ranges(NON_PUBLIC_V6).map(interval),
);

/** How many addresses the intervals hold, as a float (exact for IPv4, within 1e-15 for IPv6). */
function sizeOf(intervals: readonly Interval[]): number {
  return intervals.reduce((n, i) => n + Number(i.hi - i.lo + 1n), 0);
}

const PUBLIC_SIZE = new Map<Interval[], number>([
  [PUBLIC_V4, sizeOf(PUBLIC_V4)],
  [PUBLIC_V6, sizeOf(PUBLIC_V6)],
]);

/** Whether the union of these ranges of one family contains every public address of it. */
function coversAll(sources: Range[], target: Interval[]): boolean {
  if (!target.length) return false;
  // A union holds at most the sum of its ranges' sizes: when that sum falls short of the target
  // (with a margin far above the float error of the sum), the exact subtraction below is not needed.
  let total = 0;
  for (const r of sources) total += 2 ** ((r.v6 ? 128 : 32) - r.prefix);
  const size = PUBLIC_SIZE.get(target) ?? sizeOf(target);
  if (total < size * (1 - 1e-9)) return false;
  return subtract(target, sources.map(interval)).length === 0;
}

/** Whether each parsed range includes a public address (ranges are parsed once, see parseRange). */
const publicMemo = new WeakMap<Range, boolean>();

function overlapsPublic(r: Range): boolean {
  let hit = publicMemo.get(r);
  if (hit === undefined) {
    const i = interval(r);
    hit = (r.v6 ? PUBLIC_V6 : PUBLIC_V4).some((p) => p.lo <= i.hi && i.lo <= p.hi);
    publicMemo.set(r, hit);
  }
  return hit;
}

/** How wide a source may be before it counts as "the internet" when it includes public space. */
export interface BreadthLimits {
  /** IPv4 sources with a shorter prefix than this that include public addresses are public. @default 16 */
  readonly minPublicPrefixV4: number;
  /** IPv6 sources with a shorter prefix than this that include public addresses are public. @default 32 */
  readonly minPublicPrefixV6: number;
}

export const DEFAULT_BREADTH: BreadthLimits = { minPublicPrefixV4: 16, minPublicPrefixV6: 32 };

/**
 * Which of these sources open a port to the internet: all of them when their union covers the
 * public IPv4 or IPv6 space (0.0.0.0/0, or 0.0.0.0/1 with 128.0.0.0/1, or 2000::/3), and any one
 * broader than the configured prefix that includes public addresses (1.0.0.0/8).
 */
export function internetSources(
  sources: readonly string[],
  limits: BreadthLimits = DEFAULT_BREADTH,
): string[] {
  const parsed = sources.map((s) => ({ s, r: parseRange(s) }));
  const v4 = parsed.filter((p) => p.r && !p.r.v6);
  const v6 = parsed.filter((p) => p.r?.v6);
  const hits = new Set<string>();
  if (
    coversAll(
      v4.map((p) => p.r!),
      PUBLIC_V4,
    )
  )
    v4.forEach((p) => hits.add(p.s));
  if (
    coversAll(
      v6.map((p) => p.r!),
      PUBLIC_V6,
    )
  )
    v6.forEach((p) => hits.add(p.s));
  for (const { s, r } of parsed) {
    if (!r || !overlapsPublic(r)) continue;
    if (r.prefix < (r.v6 ? limits.minPublicPrefixV6 : limits.minPublicPrefixV4)) hits.add(s);
  }
  return sources.filter((s) => hits.has(s));
}

/** Whether the range includes any public address. */
export function includesPublic(text: string): boolean {
  const r = parseRange(text);
  return r !== undefined && overlapsPublic(r);
}

/** Whether two ranges of one family share an address. */
export function rangesOverlap(a: string, b: string): boolean {
  return rangeContains(a, b) || rangeContains(b, a);
}
