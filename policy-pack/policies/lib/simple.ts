/**
 * Policies whose every check is "this property must hold this value" on one or more types: a table
 * of property tests becomes one check per type, each finding naming the property and the value.
 */
import { ResourceCheck } from "./policy";
import { Props } from "./props";

export interface PropertyRule {
  /** True when the resource satisfies the rule. */
  readonly holds: (props: Props) => boolean;
  /** What the finding says after the resource's name, e.g. "is unencrypted: set encrypted to true". */
  readonly says: string;
}

export function propertyCheck(...rules: PropertyRule[]): ResourceCheck {
  return (resource, report) => {
    for (const rule of rules) {
      if (!rule.holds(resource.props)) report(`${resource.name} ${rule.says}`);
    }
  };
}
