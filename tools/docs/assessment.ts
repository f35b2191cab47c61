/**
 * docs/assessment.md: the weaknesses an assessment of an unprotected healthcare stack reports,
 * grouped as the five reports auditors expect, each with its risk, how this platform removes it,
 * the policies that refuse it if it comes back and the AWS Config rules that watch for it at
 * runtime. The policy and rule columns come from the pack's and the audit component's own
 * metadata: a name that does not exist stops the generator, so the document cannot drift.
 */
import { CONFIG_RULES } from "../../infra/audit";
import { EhealthPolicy, policies } from "../../policy-pack/policies";

export interface Weakness {
  readonly weakness: string;
  readonly risk: string;
  /** The component (infra/<component>) and the setting that remove it. */
  readonly remedy: string;
  /** The policies that refuse it before `pulumi up`. */
  readonly policies: readonly string[];
  /** AWS Config rules (infra/audit) that report it at runtime, drift included. */
  readonly runtime?: readonly string[];
}

export interface Report {
  readonly title: string;
  readonly question: string;
  readonly weaknesses: readonly Weakness[];
}

export const REPORTS: readonly Report[] = [
  {
    title: "Vulnerabilities overall",
    question: "Which weaknesses would let an attacker, a mistake or a missing control reach PHI?",
    weaknesses: [
      {
        weakness: "No audit trail, or one that can be altered or misses regions",
        risk: "A breach cannot be investigated or even noticed; 164.312(b) is not met.",
        remedy:
          "audit: multi-region CloudTrail with global events, log file validation, KMS, CloudWatch delivery and object-level data events on every PHI bucket; a write-once archive",
        policies: [
          "cloudtrail-trail-enforce-integrity",
          "cloudtrail-trail-enforce-encryption",
          "cloudtrail-trail-missing-in-primary",
        ],
        runtime: [
          "cloudtrail-enabled",
          "multi-region-cloudtrail-enabled",
          "cloud-trail-log-file-validation-enabled",
        ],
      },
      {
        weakness: "No threat detection or alerting",
        risk: "Credential theft, crypto-mining or exfiltration run for months unseen.",
        remedy:
          "audit: GuardDuty (S3, malware, RDS logins), Security Hub (foundational and CIS standards), IAM Access Analyzer, CIS metric alarms and high-severity findings to an encrypted topic",
        policies: [
          "guardduty-detector-enable-in-region",
          "securityhub-account-enable-in-region",
          "config-recorder-enable-in-region",
          "cloudwatch-alarm-enable-actions",
        ],
        runtime: ["guardduty-enabled-centralized", "securityhub-enabled"],
      },
      {
        weakness: "Administrator rights for everyone, shared or long-lived credentials",
        risk: "One phished password or leaked key reads every patient's record.",
        remedy:
          "identity: four IT support roles with MFA trust, one-hour sessions and permission boundaries; no IAM user keys; a break-glass role alarmed on every use",
        policies: [
          "iam-policy-disallow-admin-wildcard",
          "iam-user-disallow-credentials",
          "iam-role-enforce-mfa",
          "iam-role-enforce-trust-conditions",
          "iam-policy-disallow-service-wildcards",
        ],
        runtime: ["root-account-mfa-enabled", "mfa-enabled-for-iam-console-access"],
      },
      {
        weakness: "Patients and staff sign in with a password alone",
        risk: "Credential stuffing takes over patient accounts and their records.",
        remedy:
          "identity: Cognito with TOTP MFA required, threat protection enforced, 14-character passwords, the code flow with PKCE, 15-minute tokens",
        policies: ["cognito-userpool-enforce-mfa", "cognito-client-enforce-code-flow"],
        runtime: ["iam-password-policy", "iam-user-mfa-enabled"],
      },
      {
        weakness: "Secrets written into the code or the configuration",
        risk: "A repository leak becomes a database leak.",
        remedy:
          "data: the database's master password managed by Secrets Manager under the PHI key; IAM authentication for the application (no password exists)",
        policies: [
          "secrets-input-disallow-literal-credentials",
          "rds-instance-enforce-managed-password",
          "secretsmanager-secret-enable-rotation",
        ],
      },
      {
        weakness: "Resource policies open to any AWS account",
        risk: 'A bucket, key or queue policy with Principal "*" is a public grant.',
        remedy:
          "keys, data, research: every resource policy names its principals or narrows them by account, source or endpoint",
        policies: [
          "iam-resourcepolicy-disallow-wildcard-principal",
          "ec2-snapshot-disallow-public-sharing",
        ],
      },
      {
        weakness: "PHI in services not covered by the BAA",
        risk: "Data in an ineligible service is outside the business associate agreement.",
        remedy:
          "all components: PHI only in HIPAA-eligible services, tagged DataClassification=PHI",
        policies: ["tagging-resource-enforce-phi-eligible-service"],
      },
    ],
  },
  {
    title: "Data security: unencrypted data",
    question:
      "Is every copy of PHI encrypted at rest and in transit, under keys the covered entity controls?",
    weaknesses: [
      {
        weakness: "Databases, volumes and file systems without encryption at rest",
        risk: "A snapshot, a disk or a backup shared by mistake is readable by anyone.",
        remedy:
          "keys and data: customer-managed keys per purpose (PHI, logs, backups) with yearly rotation; RDS, EBS (by default in every region), EFS, ElastiCache, DynamoDB under the PHI key",
        policies: [
          "rds-storage-enforce-encryption",
          "ec2-volume-enforce-encryption",
          "efs-filesystem-enforce-encryption",
          "elasticache-cluster-enforce-encryption",
          "dynamodb-table-enforce-encryption",
          "kms-key-enable-rotation",
          "kms-key-disallow-lockout-bypass",
        ],
        runtime: [
          "rds-storage-encrypted",
          "encrypted-volumes",
          "ec2-ebs-encryption-by-default",
          "efs-encrypted-check",
        ],
      },
      {
        weakness: "Buckets of patient documents with default or no encryption",
        risk: "Objects are readable by anyone with S3 read access; the key is not the covered entity's.",
        remedy:
          "data: SSE-KMS with the PHI key and bucket keys, uploads under any other key refused",
        policies: ["s3-bucket-enforce-encryption"],
        runtime: ["s3-bucket-server-side-encryption-enabled"],
      },
      {
        weakness: "Logs, queues, topics, secrets and backups left unencrypted",
        risk: "Logs and messages carry identifiers; backups are full copies of PHI.",
        remedy:
          "audit, data, research: log groups under the logs key, topics and queues under their component's key, the backup vault under the backups key",
        policies: [
          "cloudwatch-loggroup-enforce-encryption",
          "sns-topic-enforce-encryption",
          "sqs-queue-enforce-encryption",
          "secretsmanager-secret-enforce-encryption",
          "backup-vault-enforce-encryption",
          "lambda-function-enforce-environment-encryption",
        ],
        runtime: ["sns-encrypted-kms", "backup-recovery-point-encrypted"],
      },
      {
        weakness: "PHI over plain HTTP or unencrypted database connections",
        risk: "Anyone on the path reads or alters records in transit (164.312(e)).",
        remedy:
          "compute and data: HTTPS only with a TLS 1.3 policy (HTTP only redirects), buckets that refuse non-TLS requests, PostgreSQL with rds.force_ssl, EFS mounted over TLS, the cache with TLS required",
        policies: [
          "elb-listener-enforce-https",
          "s3-bucket-enforce-tls",
          "rds-parametergroup-enforce-tls",
          "rds-proxy-enforce-tls",
          "efs-filesystem-enforce-tls",
        ],
        runtime: ["s3-bucket-ssl-requests-only"],
      },
      {
        weakness: "Research data readable from anywhere in the account",
        risk: "A study's PHI leaves the environment its approval was given for.",
        remedy:
          "research: data-in and output buckets that deny every object request not coming through the enclave's S3 endpoint, except its stewards (MFA) and its backups",
        policies: ["s3-bucket-enforce-enclave-isolation"],
      },
    ],
  },
  {
    title: "Virtual machines: outdated and unpatched",
    question: "Are the servers current, patched, hardened and managed without open ports?",
    weaknesses: [
      {
        weakness: "Unpatched operating systems",
        risk: "Known vulnerabilities stay open for months; most intrusions use them.",
        remedy:
          "compute: the latest Amazon Linux 2023 image at each deployment, a Patch Manager baseline (security updates approved after 3 days) with daily scans and a weekly maintenance window, Amazon Inspector",
        policies: ["ec2-instance-missing-profile"],
        runtime: [
          "ec2-instance-managed-by-systems-manager",
          "ec2-managedinstance-patch-compliance-status-check",
        ],
      },
      {
        weakness: "Instance metadata open to server-side request forgery",
        risk: "A bug in the portal hands out the instance role's credentials.",
        remedy: "compute and research: IMDSv2 only, hop limit 1",
        policies: ["ec2-instance-enforce-imdsv2"],
        runtime: ["ec2-imdsv2-check"],
      },
      {
        weakness: "Servers with public IPs, or launched into the default VPC",
        risk: "Every port the host listens on is on the internet.",
        remedy:
          "network and compute: no public IP on any app or data host, instances only in named app subnets, a bastion (optional) the one tagged exception",
        policies: [
          "ec2-subnet-disallow-public-in-private",
          "ec2-instance-enforce-vpc-placement",
          "ec2-subnet-disallow-public-ip-on-launch",
        ],
      },
      {
        weakness: "Unmonitored or starved hosts",
        risk: "Failures and attacks go unseen; burstable hosts throttle in the middle of a job.",
        remedy:
          "compute: detailed monitoring and the CloudWatch agent; research: m-family workstations only",
        policies: [
          "ec2-instance-configure-monitoring",
          "ec2-instance-disallow-burstable-dedicated",
        ],
      },
    ],
  },
  {
    title: "Network security: unrestricted access",
    question: "Can anything reach PHI from the internet, or move freely inside the network?",
    weaknesses: [
      {
        weakness: "SSH or RDP open to the internet",
        risk: "Brute force and exploits against administration ports, the most scanned on the internet.",
        remedy:
          "compute: Session Manager by default, no inbound port; an optional bastion admitting SSH only from the configured sites (never 0.0.0.0/0, /16 or narrower)",
        policies: ["ec2-ingress-enforce-admin-allowlist"],
        runtime: ["restricted-ssh"],
      },
      {
        weakness: "Services exposed directly to the internet",
        risk: "The application, not a hardened front door, takes every request.",
        remedy:
          "compute: only the load balancer is public, on 80 (redirect) and 443, behind a WAF with a rate limit and AWS's managed rule groups",
        policies: [
          "ec2-ingress-disallow-internet",
          "ec2-ingress-disallow-internet-service-ports",
          "wafv2-loadbalancer-enable-webacl",
          "elb-loadbalancer-enable-drop-invalid-headers",
        ],
      },
      {
        weakness: "Public databases and buckets",
        risk: "The most common cloud PHI breach: a store anyone can read.",
        remedy:
          "data: databases and caches in isolated data subnets, buckets with all four public access blocks and owner-enforced objects",
        policies: [
          "rds-instance-disallow-public-access",
          "s3-bucket-disallow-public-access",
          "redshift-cluster-disallow-public-access",
          "opensearch-domain-disallow-public-access",
        ],
        runtime: ["rds-instance-public-access-check", "s3-bucket-level-public-access-prohibited"],
      },
      {
        weakness:
          "A flat network: data stores reachable from anywhere, routes out from the data tier",
        risk: "One compromised host reaches every store and sends data out.",
        remedy:
          "network: three tiers per AZ, the data tier without any route out, network ACLs per tier, data stores admitting only the app tier's security group, the default security group emptied",
        policies: [
          "ec2-routetable-disallow-internet-in-data-tier",
          "ec2-ingress-disallow-public-subnet-to-data",
          "ec2-vpc-enforce-closed-default-security-group",
          "lambda-function-configure-isolation",
        ],
        runtime: ["vpc-default-security-group-closed"],
      },
      {
        weakness: "No record of network traffic",
        risk: "An exfiltration cannot be measured or traced.",
        remedy: "network: flow logs of all traffic to an encrypted log group kept a year or more",
        policies: ["ec2-vpc-enable-flow-logs", "cloudwatch-loggroup-configure-retention"],
        runtime: ["vpc-flow-logs-enabled"],
      },
      {
        weakness: "No record of who read which document",
        risk: '"Who looked at this patient\'s file?" has no answer.',
        remedy:
          "data and audit: S3 server access logs and CloudTrail data events on every PHI bucket, load balancer, WAF and database logs",
        policies: [
          "s3-bucket-enable-access-logs",
          "elb-loadbalancer-enable-access-logs",
          "wafv2-webacl-enable-logging",
          "rds-instance-enable-log-exports",
        ],
      },
    ],
  },
  {
    title: "Disaster recovery: no backups, extended downtime",
    question: "When a store, a region or an operator fails, what is lost and for how long?",
    weaknesses: [
      {
        weakness: "No backups, or backups that can be deleted with the data",
        risk: "Ransomware or a mistake destroys the only copy (164.308(a)(7)(ii)(A)).",
        remedy:
          "data: AWS Backup daily and monthly under the backups key, in a vault locked in compliance mode in prod; RDS backups of 35 days; DynamoDB point-in-time recovery",
        policies: [
          "rds-instance-enforce-backups",
          "dynamodb-table-enable-pitr",
          "backup-resource-enable-plan-selection",
          "elasticache-replicationgroup-enable-backups",
        ],
        runtime: ["db-instance-backup-enabled", "dynamodb-pitr-enabled"],
      },
      {
        weakness: "Documents that one overwrite or delete destroys",
        risk: "An application bug or an attacker erases records with no way back.",
        remedy: "data: versioned buckets, noncurrent versions kept six years",
        policies: ["s3-bucket-enable-versioning"],
      },
      {
        weakness: "One region, one copy",
        risk: "A regional outage stops care and may lose data (164.308(a)(7)(ii)(B)).",
        remedy:
          "data and compute: documents replicated to the other region, every recovery point copied there, both regions serving with latency routing and health checks",
        policies: [
          "s3-bucket-enable-replication",
          "autoscaling-group-configure-resilience",
          "efs-filesystem-configure-resilience",
        ],
      },
      {
        weakness: "A `pulumi destroy` or a rename that deletes production data",
        risk: "One command, or a refactor that replaces a resource, deletes every patient's record.",
        remedy:
          "every component: stateful resources protected and retained in prod, deletion protection on the database and load balancer",
        policies: [
          "pulumi-resource-enforce-protect",
          "elb-loadbalancer-enable-deletion-protection",
        ],
      },
      {
        weakness: "Single points of failure, and capacity that cannot grow",
        risk: "The loss of one AZ, or a busy clinic morning, takes the portal down.",
        remedy:
          "compute and data: an Auto Scaling group across every AZ (two instances at least in prod), Multi-AZ database, a cache with automatic failover, tables on demand",
        policies: [
          "autoscaling-group-configure-resilience",
          "rds-instance-configure-operations",
          "dynamodb-table-configure-capacity",
        ],
      },
    ],
  },
];

/** Services the pack guards although the platform uses none of them (pulumi-aws modules). */
const UNUSED_MODULES = [
  "kinesis",
  "opensearch",
  "elasticsearch",
  "redshift",
  "redshiftserverless",
  "cloudfront",
  "ecs",
];

function policyNamed(name: string): EhealthPolicy {
  const found = policies.find((p) => p.name === name);
  if (!found) throw new Error(`docs/assessment: no policy named ${name} in the pack`);
  return found;
}

function ruleNamed(name: string): string {
  if (!CONFIG_RULES.some((r) => r.name === name)) {
    throw new Error(`docs/assessment: no AWS Config rule named ${name} in infra/audit`);
  }
  return name;
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

export function renderAssessment(reports: readonly Report[] = REPORTS): string {
  const lines = [
    "# Security assessment",
    "",
    "<!-- Generated by `npm run docs` from tools/docs/assessment.ts, the policy pack's metadata and the audit component's AWS Config rules. Do not edit. -->",
    "",
    "The weaknesses typically found in an unprotected healthcare stack on AWS, as the five reports an",
    "assessment delivers, and for each: the risk, how this platform removes it (component and",
    "setting), the policies that refuse it if a change ever brings it back (level and severity from the",
    "pack), and the AWS Config rules that report it at runtime, drift made outside Pulumi included.",
    "`tests/fixtures/programs/insecure-healthcare.ts` is such a stack: `npm run plan -- --program",
    "tests/fixtures/programs/insecure-healthcare.ts` shows the pack finding its weaknesses.",
    "",
  ];
  const used = new Set<string>();
  for (const report of reports) {
    lines.push(`## ${report.title}`, "", `_${report.question}_`, "");
    lines.push(
      "| weakness | risk | how the platform removes it | refused by | watched at runtime by |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const w of report.weaknesses) {
      const refused = w.policies
        .map((n) => {
          const p = policyNamed(n);
          used.add(p.name);
          return `\`${p.name}\` (${p.meta.enforcementLevel}, ${p.meta.severity})`;
        })
        .join("<br>");
      const runtime = (w.runtime ?? []).map((r) => `\`${ruleNamed(r)}\``).join("<br>");
      lines.push(
        `| ${cell(w.weakness)} | ${cell(w.risk)} | ${cell(w.remedy)} | ${refused} | ${runtime || "—"} |`,
      );
    }
    lines.push("");
  }
  const rest = policies.filter((p) => !used.has(p.name));
  const other = rest.filter(
    (p) =>
      p.resourceTypes.length === 0 ||
      !p.resourceTypes.every((t) => UNUSED_MODULES.includes(t.split(":")[1]?.split("/")[0])),
  );
  if (other.length) {
    throw new Error(
      `docs/assessment: tie ${other.map((p) => p.name).join(", ")} to a weakness (only policies of services the platform does not use may stay untied)`,
    );
  }
  lines.push(
    "## Policies not tied to a weakness above",
    "",
    rest.length
      ? `${rest.length} of the pack's ${policies.length} policies guard services the platform does not use (${UNUSED_MODULES.join(", ")}), so that adding one cannot bring its weakness with it: ${rest.map((p) => `\`${p.name}\``).join(", ")}.`
      : `Every one of the pack's ${policies.length} policies is tied to a weakness.`,
    "",
  );
  return lines.join("\n");
}
