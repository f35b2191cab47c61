/**
 * Who assumes the VPC flow-log role and what it writes, simulated against the trust and inline
 * policies each stack records.
 */
import { ACCOUNT, Recorded, stack, table, type RowSpec } from "../access/recorded";

const STACKS = [
  { name: "ireland", region: "eu-west-1" },
  { name: "oregon", region: "us-west-2" },
] as const;
const FOREIGN = "999988887777";

for (const { name, region } of STACKS) {
  const source = async () => new Recorded(await stack(name));
  const role = (s: Recorded) => s.role(`ehealth-${name}-flow-logs`);
  const flowLog = (account: string) =>
    `arn:aws:ec2:${region}:${account}:vpc-flow-log/fl-0123456789abcdef0`;
  const assumed = (s: Recorded, principal: string, context: Record<string, string>) => ({
    principal,
    context,
    action: "sts:AssumeRole",
    resource: role(s).arn,
    resourcePolicy: role(s).trust,
  });

  table(`ehealth:network:Network: who assumes the flow-log role (${name}, as recorded)`, source, [
    {
      says: "VPC flow logs of this account assume the flow-log role",
      expect: "Allowed",
      request: (s) =>
        assumed(s, "vpc-flow-logs.amazonaws.com", {
          "aws:SourceAccount": ACCOUNT,
          "aws:SourceArn": flowLog(ACCOUNT),
        }),
    },
    {
      says: "VPC flow logs of another account assume the flow-log role",
      expect: "Denied",
      request: (s) =>
        assumed(s, "vpc-flow-logs.amazonaws.com", {
          "aws:SourceAccount": FOREIGN,
          "aws:SourceArn": flowLog(FOREIGN),
        }),
    },
    {
      says: "EC2 assumes the flow-log role",
      expect: "Denied",
      request: (s) => assumed(s, "ec2.amazonaws.com", { "aws:SourceAccount": ACCOUNT }),
    },
  ]);

  const write = (s: Recorded, action: string, resource: string) => ({
    ...s.as(`ehealth-${name}-flow-logs`),
    action,
    resource,
  });
  const group = (s: Recorded, suffix: string) =>
    s.arn("aws:cloudwatch/logGroup:LogGroup", `ehealth-${name}-${suffix}`);

  table(`ehealth:network:Network: what the flow-log role writes (${name}, as recorded)`, source, [
    ...["logs:CreateLogStream", "logs:PutLogEvents"].map((action): RowSpec<Recorded> => ({
      says: `the flow-log role calls ${action} on its own group`,
      expect: "Allowed",
      request: (s) => write(s, action, `${group(s, "flow-logs")}:log-stream:eni-1-all`),
    })),
    {
      says: "the flow-log role writes to the application's log group",
      expect: "Denied",
      request: (s) => write(s, "logs:PutLogEvents", `${group(s, "app")}:log-stream:x`),
    },
    {
      says: "the flow-log role lists log groups (DescribeLogGroups authorises on no resource)",
      expect: "Allowed",
      request: (s) => write(s, "logs:DescribeLogGroups", "*"),
    },
    {
      says: "the flow-log role deletes its own group",
      expect: "Denied",
      request: (s) => write(s, "logs:DeleteLogGroup", group(s, "flow-logs")),
    },
  ]);
}
