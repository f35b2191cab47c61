/**
 * An alert route: events that EventBridge forwards to the region's alert topic. Components that
 * know what is worth an alert (data: AWS Backup job failures) describe routes; the audit component
 * owns the topic and creates one rule per route.
 */
export interface AlertRoute {
  /** Short id: the rule's name after the stack prefix. */
  readonly id: string;
  /** What an alert from this route means, for whoever receives it. */
  readonly description: string;
  /** The EventBridge event pattern. */
  readonly pattern: Readonly<Record<string, unknown>>;
}
