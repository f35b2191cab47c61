/**
 * How the pack covers the 90 rules of cdk-nag's HIPAA Security pack (v3.0.2): by which policies,
 * or why a rule is out of scope. docs/policies.md is generated from this and the policy metadata.
 */

export type Coverage =
  | { readonly status: "covered"; readonly policies: readonly string[]; readonly note?: string }
  | { readonly status: "out of scope"; readonly reason: string };

const covered = (policies: string[], note?: string): Coverage => ({
  status: "covered",
  policies,
  note,
});
const outOfScope = (reason: string): Coverage => ({ status: "out of scope", reason });

const NOT_USED = (service: string) =>
  outOfScope(
    `${service} is not part of this platform, and the pack does not model its resources; a program that uses it needs a pack that does.`,
  );

export const CDK_NAG_HIPAA: Readonly<Record<string, Coverage>> = {
  VPCDefaultSecurityGroupClosed: covered(["ec2-vpc-enforce-closed-default-security-group"]),
  ALBHttpDropInvalidHeaderEnabled: covered(["elb-loadbalancer-enable-drop-invalid-headers"]),
  ALBHttpToHttpsRedirection: covered(["elb-listener-enforce-https"]),
  APIGWCacheEnabledAndEncrypted: NOT_USED("API Gateway"),
  APIGWExecutionLoggingEnabled: NOT_USED("API Gateway"),
  APIGWSSLEnabled: NOT_USED("API Gateway"),
  APIGWXrayEnabled: NOT_USED("API Gateway"),
  AutoScalingGroupELBHealthCheckRequired: covered(["autoscaling-group-configure-resilience"]),
  AutoScalingLaunchConfigPublicIpDisabled: covered(
    ["ec2-subnet-disallow-public-in-private"],
    "refused where the group's subnets are private",
  ),
  CloudTrailCloudWatchLogsEnabled: covered(["cloudtrail-trail-enforce-integrity"]),
  CloudTrailEncryptionEnabled: covered(["cloudtrail-trail-enforce-encryption"]),
  CloudTrailLogFileValidationEnabled: covered(["cloudtrail-trail-enforce-integrity"]),
  CloudWatchAlarmAction: covered(["cloudwatch-alarm-enable-actions"]),
  CloudWatchLogGroupEncrypted: covered(["cloudwatch-loggroup-enforce-encryption"]),
  CloudWatchLogGroupRetentionPeriod: covered(["cloudwatch-loggroup-configure-retention"]),
  CodeBuildProjectEnvVarAwsCred: covered(
    ["secrets-input-disallow-literal-credentials"],
    "any literal AWS key in any resource input, CodeBuild's included",
  ),
  CodeBuildProjectSourceRepoUrl: NOT_USED("CodeBuild"),
  DMSReplicationNotPublic: NOT_USED("Database Migration Service"),
  DynamoDBAutoScalingEnabled: covered(["dynamodb-table-configure-capacity"]),
  DynamoDBInBackupPlan: covered(["backup-resource-enable-plan-selection"]),
  DynamoDBPITREnabled: covered(["dynamodb-table-enable-pitr"]),
  EC2EBSInBackupPlan: covered(["backup-resource-enable-plan-selection"]),
  EC2EBSOptimizedInstance: covered(["ec2-instance-configure-monitoring"]),
  EC2IMDSv2Enabled: covered(["ec2-instance-enforce-imdsv2"]),
  EC2InstanceDetailedMonitoringEnabled: covered(["ec2-instance-configure-monitoring"]),
  EC2InstanceNoPublicIp: covered(
    ["ec2-subnet-disallow-public-in-private", "ec2-subnet-disallow-public-ip-on-launch"],
    "public IPs only on instances tagged Role=bastion in public subnets",
  ),
  EC2InstanceProfileAttached: covered(["ec2-instance-missing-profile"]),
  EC2InstancesInVPC: covered(["ec2-instance-enforce-vpc-placement"]),
  EC2RestrictedCommonPorts: covered(
    ["ec2-ingress-disallow-internet", "ec2-ingress-enforce-admin-allowlist"],
    "stricter: every port but 80/443 on a public load balancer",
  ),
  EC2RestrictedSSH: covered(
    ["ec2-ingress-enforce-admin-allowlist"],
    "stricter: any source outside the allow-list, not only 0.0.0.0/0",
  ),
  ECSTaskDefinitionUserForHostMode: outOfScope(
    "The pack models ECS task definitions (EFS mounts without TLS, credentials in container environments) and services (public IPs, load balancer targets), but not the user a container of a host-network task runs as; the platform runs no ECS tasks, and a program that relies on this rule needs a pack that checks it.",
  ),
  EFSEncrypted: covered(["efs-filesystem-enforce-encryption"]),
  EFSInBackupPlan: covered(["backup-resource-enable-plan-selection"]),
  ElastiCacheRedisClusterAutomaticBackup: covered(["elasticache-replicationgroup-enable-backups"]),
  ElasticBeanstalkEnhancedHealthReportingEnabled: NOT_USED("Elastic Beanstalk"),
  ElasticBeanstalkManagedUpdatesEnabled: NOT_USED("Elastic Beanstalk"),
  ELBACMCertificateRequired: covered(["elb-listener-enforce-https"]),
  ELBCrossZoneLoadBalancingEnabled: covered(
    ["elb-loadbalancer-enable-deletion-protection"],
    "classic ELBs; application load balancers always balance across zones",
  ),
  ELBDeletionProtectionEnabled: covered(["elb-loadbalancer-enable-deletion-protection"]),
  ELBLoggingEnabled: covered(["elb-loadbalancer-enable-access-logs"]),
  ELBTlsHttpsListenersOnly: covered(["elb-listener-enforce-https"]),
  ELBv2ACMCertificateRequired: covered(["elb-listener-enforce-https"]),
  EMRKerberosEnabled: NOT_USED("EMR"),
  IAMGroupHasUsers: outOfScope(
    "The platform grants people access through MFA-gated roles, never IAM groups; iam-user-disallow-credentials refuses rights on IAM users, so an empty or full group grants nothing either way.",
  ),
  IAMNoInlinePolicy: covered(
    ["iam-user-disallow-credentials", "iam-policy-disallow-admin-wildcard"],
    "inline policies on users are refused; on roles they are allowed, since a role-scoped policy cannot be attached anywhere else",
  ),
  IAMPolicyNoStatementsWithAdminAccess: covered(
    ["iam-policy-disallow-admin-wildcard"],
    "except the MFA-gated break-glass role",
  ),
  IAMPolicyNoStatementsWithFullAccess: covered(["iam-policy-disallow-service-wildcards"]),
  IAMUserGroupMembership: covered(
    ["iam-user-disallow-credentials"],
    "users hold no rights, through groups or otherwise",
  ),
  IAMUserNoPolicies: covered(["iam-user-disallow-credentials"]),
  LambdaConcurrency: covered(["lambda-function-configure-isolation"]),
  LambdaDLQ: covered(["lambda-function-configure-isolation"]),
  LambdaFunctionPublicAccessProhibited: covered(["iam-resourcepolicy-disallow-wildcard-principal"]),
  LambdaInsideVPC: covered(["lambda-function-configure-isolation"]),
  OpenSearchEncryptedAtRest: covered(["opensearch-domain-enforce-encryption"]),
  OpenSearchErrorLogsToCloudWatch: covered(["opensearch-domain-enable-error-logs"]),
  OpenSearchInVPCOnly: covered(["opensearch-domain-disallow-public-access"]),
  OpenSearchNodeToNodeEncryption: covered(["opensearch-domain-enforce-encryption"]),
  RDSAutomaticMinorVersionUpgradeEnabled: covered(["rds-instance-configure-operations"]),
  RDSEnhancedMonitoringEnabled: covered(["rds-instance-configure-operations"]),
  RDSInBackupPlan: covered(["backup-resource-enable-plan-selection"]),
  RDSInstanceBackupEnabled: covered(
    ["rds-instance-enforce-backups"],
    "at least 7 days, not only enabled",
  ),
  RDSInstanceDeletionProtectionEnabled: covered(["rds-instance-enforce-backups"]),
  RDSInstancePublicAccess: covered(["rds-instance-disallow-public-access"]),
  RDSLoggingEnabled: covered(["rds-instance-enable-log-exports"]),
  RDSMultiAZSupport: covered(["rds-instance-configure-operations"]),
  RDSStorageEncrypted: covered(["rds-storage-enforce-encryption"]),
  RedshiftBackupEnabled: covered(["redshift-cluster-configure-operations"]),
  RedshiftClusterConfiguration: covered([
    "redshift-cluster-enforce-encryption",
    "redshift-cluster-configure-operations",
  ]),
  RedshiftClusterMaintenanceSettings: covered(["redshift-cluster-configure-operations"]),
  RedshiftClusterPublicAccess: covered(["redshift-cluster-disallow-public-access"]),
  RedshiftEnhancedVPCRoutingEnabled: covered(["redshift-cluster-configure-operations"]),
  RedshiftRequireTlsSSL: covered(["redshift-parametergroup-enforce-tls"]),
  S3BucketLevelPublicAccessProhibited: covered(["s3-bucket-disallow-public-access"]),
  S3BucketLoggingEnabled: covered(["s3-bucket-enable-access-logs"]),
  S3BucketPublicReadProhibited: covered([
    "s3-bucket-disallow-public-access",
    "iam-resourcepolicy-disallow-wildcard-principal",
  ]),
  S3BucketPublicWriteProhibited: covered([
    "s3-bucket-disallow-public-access",
    "iam-resourcepolicy-disallow-wildcard-principal",
  ]),
  S3BucketReplicationEnabled: covered(
    ["s3-bucket-enable-replication"],
    "PHI buckets, in the stacks that replicate",
  ),
  S3BucketSSLRequestsOnly: covered(["s3-bucket-enforce-tls"]),
  S3BucketVersioningEnabled: covered(["s3-bucket-enable-versioning"]),
  S3DefaultEncryptionKMS: covered(
    ["s3-bucket-enforce-encryption"],
    "joined to the bucket's own encryption resource",
  ),
  SageMakerEndpointConfigurationKMSKeyConfigured: NOT_USED("SageMaker"),
  SageMakerNotebookInstanceKMSKeyConfigured: NOT_USED("SageMaker"),
  SageMakerNotebookNoDirectInternetAccess: NOT_USED("SageMaker"),
  SecretsManagerRotationEnabled: covered(["secretsmanager-secret-enable-rotation"]),
  SecretsManagerUsingKMSKey: covered(["secretsmanager-secret-enforce-encryption"]),
  SNSEncryptedKMS: covered(["sns-topic-enforce-encryption"]),
  VPCFlowLogsEnabled: covered(["ec2-vpc-enable-flow-logs"]),
  VPCNoUnrestrictedRouteToIGW: covered(
    ["ec2-routetable-disallow-internet-in-data-tier", "ec2-subnet-disallow-public-in-private"],
    "the public tier needs its internet route; the data tier may have none, and nothing private may sit in a public subnet",
  ),
  VPCSubnetAutoAssignPublicIpDisabled: covered(["ec2-subnet-disallow-public-ip-on-launch"]),
  WAFv2LoggingEnabled: covered(["wafv2-webacl-enable-logging"]),
};
