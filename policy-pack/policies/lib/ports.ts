/** Port arithmetic shared by the network policies. */

/** The ports of administrative remote access: SSH and RDP. */
export const ADMIN_PORTS = [22, 3389] as const;

/** Whether a rule with this protocol and port range reaches `port`. */
export function reachesPort(
  protocol: unknown,
  fromPort: unknown,
  toPort: unknown,
  port: number,
): boolean {
  const proto = String(protocol ?? "").toLowerCase();
  if (proto === "-1" || proto === "all") return true;
  if (proto !== "tcp" && proto !== "6") return false;
  const from = typeof fromPort === "number" ? fromPort : 0;
  const to = typeof toPort === "number" ? toPort : 65535;
  return from <= port && port <= to;
}
