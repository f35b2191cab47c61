/**
 * Every policy of the pack, in a stable order: the three the platform was specified with first
 * (restricted admin CIDRs and internet ingress, nothing public in private subnets, encryption at
 * rest), then transmission, logging and detection, resilience, identity, compute and governance.
 * Importing this starts nothing: the tests and the offline plan use it, and ../index.ts hands it
 * to the PolicyPack.
 */
import { autoscalingGroupConfigureResilience } from "./autoscaling/configureResilience";
import { backupResourceEnablePlanSelection } from "./backup/enableSelection";
import { backupVaultEnforceEncryption } from "./backup/enforceEncryption";
import { cloudtrailTrailEnforceEncryption } from "./cloudtrail/enforceEncryption";
import {
  cloudtrailTrailEnforceIntegrity,
  cloudtrailTrailMissingInPrimary,
} from "./cloudtrail/trailSafeguards";
import {
  cloudwatchAlarmEnableActions,
  cloudwatchLogGroupConfigureRetention,
} from "./cloudwatch/configureRetention";
import { cloudwatchLogGroupEnforceEncryption } from "./cloudwatch/enforceLogGroupEncryption";
import {
  cognitoClientEnforceCodeFlow,
  cognitoUserPoolEnforceMfa,
} from "./cognito/userPoolSafeguards";
import { configRecorderEnableInRegion } from "./config/enableRecorder";
import { dynamodbTableEnforceEncryption } from "./dynamodb/enforceEncryption";
import {
  dynamodbTableConfigureCapacity,
  dynamodbTableEnablePitr,
} from "./dynamodb/tableSafeguards";
import { ec2RouteTableDisallowInternetInDataTier } from "./ec2/disallowInternetInDataTier";
import {
  ec2IngressDisallowInternet,
  ec2IngressDisallowInternetServicePorts,
  ec2IngressDisallowPublicSubnetToData,
} from "./ec2/disallowInternetIngress";
import { ec2SnapshotDisallowPublicSharing } from "./ec2/disallowPublicSharing";
import { cloudfrontDistributionEnforceTls } from "./cloudfront/enforceTls";
import { ecsTaskDefinitionEnforceTransitEncryption } from "./ecs/enforceTransitEncryption";
import { kmsKeyDisallowLockoutBypass } from "./kms/disallowLockoutBypass";
import { rdsProxyEnforceTls } from "./rds/proxyTls";
import { ec2SubnetDisallowPublicInPrivate } from "./ec2/disallowPublicInPrivateSubnets";
import { ec2SubnetDisallowPublicIpOnLaunch } from "./ec2/disallowPublicIpOnLaunch";
import { ec2IngressEnforceAdminAllowlist } from "./ec2/enforceAdminAllowlist";
import { ec2VolumeEnforceEncryption } from "./ec2/enforceVolumeEncryption";
import {
  ec2InstanceConfigureMonitoring,
  ec2InstanceDisallowBurstableDedicated,
  ec2InstanceEnforceImdsv2,
  ec2InstanceEnforceVpcPlacement,
  ec2InstanceMissingProfile,
} from "./ec2/instanceHardening";
import { ec2VpcEnableFlowLogs, ec2VpcEnforceClosedDefaultSecurityGroup } from "./ec2/vpcBaseline";
import { efsFileSystemEnforceEncryption } from "./efs/enforceEncryption";
import { efsFileSystemEnforceTls } from "./efs/enforceTls";
import { efsFileSystemConfigureResilience } from "./efs/configureResilience";
import { elasticacheReplicationGroupEnableBackups } from "./elasticache/enableBackups";
import { elasticacheClusterEnforceEncryption } from "./elasticache/enforceEncryption";
import {
  elbListenerEnforceHttps,
  elbLoadBalancerEnableAccessLogs,
  elbLoadBalancerEnableDeletionProtection,
  elbLoadBalancerEnableDropInvalidHeaders,
} from "./elb/enforceHttps";
import { secretsInputDisallowLiteralCredentials } from "./governance/literalCredentials";
import { taggingResourceEnforcePhiEligibleService } from "./governance/phiEligibleServices";
import { pulumiResourceEnforceProtect } from "./governance/protectStateful";
import { guarddutyDetectorEnableInRegion } from "./guardduty/enableDetector";
import {
  iamPolicyDisallowAdminWildcard,
  iamPolicyDisallowServiceWildcards,
} from "./iam/adminAccess";
import {
  iamResourcePolicyDisallowWildcardPrincipal,
  iamRoleEnforceMfa,
  iamRoleEnforceTrustConditions,
  iamUserDisallowCredentials,
} from "./iam/identities";
import { kinesisStreamEnforceEncryption } from "./kinesis/enforceEncryption";
import { kmsKeyEnableRotation } from "./kms/enableRotation";
import {
  lambdaFunctionConfigureIsolation,
  lambdaFunctionEnforceEnvironmentEncryption,
} from "./lambda/functionSafeguards";
import {
  opensearchDomainDisallowPublicAccess,
  opensearchDomainEnableErrorLogs,
} from "./opensearch/domainSafeguards";
import { opensearchDomainEnforceEncryption } from "./opensearch/enforceEncryption";
import {
  rdsInstanceConfigureOperations,
  rdsInstanceDisallowPublicAccess,
  rdsInstanceEnableLogExports,
  rdsInstanceEnforceBackups,
  rdsInstanceEnforceManagedPassword,
  rdsParameterGroupEnforceTls,
} from "./rds/databaseSafeguards";
import { rdsStorageEnforceEncryption } from "./rds/enforceStorageEncryption";
import {
  redshiftClusterConfigureOperations,
  redshiftClusterDisallowPublicAccess,
  redshiftParameterGroupEnforceTls,
} from "./redshift/clusterSafeguards";
import { redshiftClusterEnforceEncryption } from "./redshift/enforceEncryption";
import {
  s3BucketDisallowPublicAccess,
  s3BucketEnableAccessLogs,
  s3BucketEnableReplication,
  s3BucketEnableVersioning,
  s3BucketEnforceTls,
} from "./s3/bucketSafeguards";
import { s3BucketEnforceEnclaveIsolation } from "./s3/enclaveIsolation";
import { s3BucketEnforceEncryption } from "./s3/enforceBucketEncryption";
import { secretsmanagerSecretEnableRotation } from "./secretsmanager/enableRotation";
import { secretsmanagerSecretEnforceEncryption } from "./secretsmanager/enforceEncryption";
import { securityhubAccountEnableInRegion } from "./securityhub/enableAccount";
import { snsTopicEnforceEncryption } from "./sns/enforceEncryption";
import { sqsQueueEnforceEncryption } from "./sqs/enforceEncryption";
import { wafv2LoadBalancerEnableWebAcl, wafv2WebAclEnableLogging } from "./wafv2/enableLogging";
import { EhealthPolicy } from "./lib/policy";

export type {
  EhealthPolicy,
  EhealthResourcePolicy,
  EhealthStackPolicy,
  PolicyMeta,
} from "./lib/policy";

export const policies: readonly EhealthPolicy[] = [
  ec2IngressEnforceAdminAllowlist,
  ec2IngressDisallowInternet,
  ec2IngressDisallowInternetServicePorts,
  ec2IngressDisallowPublicSubnetToData,
  ec2SubnetDisallowPublicInPrivate,
  ec2SubnetDisallowPublicIpOnLaunch,
  ec2RouteTableDisallowInternetInDataTier,
  rdsInstanceDisallowPublicAccess,
  redshiftClusterDisallowPublicAccess,
  opensearchDomainDisallowPublicAccess,
  s3BucketDisallowPublicAccess,
  ec2SnapshotDisallowPublicSharing,
  s3BucketEnforceEncryption,
  ec2VolumeEnforceEncryption,
  rdsStorageEnforceEncryption,
  efsFileSystemEnforceEncryption,
  elasticacheClusterEnforceEncryption,
  dynamodbTableEnforceEncryption,
  snsTopicEnforceEncryption,
  sqsQueueEnforceEncryption,
  cloudwatchLogGroupEnforceEncryption,
  secretsmanagerSecretEnforceEncryption,
  cloudtrailTrailEnforceEncryption,
  backupVaultEnforceEncryption,
  kinesisStreamEnforceEncryption,
  opensearchDomainEnforceEncryption,
  redshiftClusterEnforceEncryption,
  lambdaFunctionEnforceEnvironmentEncryption,
  elbListenerEnforceHttps,
  elbLoadBalancerEnableDropInvalidHeaders,
  s3BucketEnforceTls,
  rdsParameterGroupEnforceTls,
  efsFileSystemEnforceTls,
  redshiftParameterGroupEnforceTls,
  rdsProxyEnforceTls,
  cloudfrontDistributionEnforceTls,
  ecsTaskDefinitionEnforceTransitEncryption,
  cloudtrailTrailEnforceIntegrity,
  cloudtrailTrailMissingInPrimary,
  ec2VpcEnableFlowLogs,
  s3BucketEnableAccessLogs,
  elbLoadBalancerEnableAccessLogs,
  rdsInstanceEnableLogExports,
  wafv2WebAclEnableLogging,
  wafv2LoadBalancerEnableWebAcl,
  cloudwatchLogGroupConfigureRetention,
  cloudwatchAlarmEnableActions,
  opensearchDomainEnableErrorLogs,
  guarddutyDetectorEnableInRegion,
  securityhubAccountEnableInRegion,
  configRecorderEnableInRegion,
  rdsInstanceEnforceBackups,
  rdsInstanceConfigureOperations,
  s3BucketEnableVersioning,
  s3BucketEnableReplication,
  dynamodbTableEnablePitr,
  dynamodbTableConfigureCapacity,
  autoscalingGroupConfigureResilience,
  efsFileSystemConfigureResilience,
  backupResourceEnablePlanSelection,
  elasticacheReplicationGroupEnableBackups,
  elbLoadBalancerEnableDeletionProtection,
  redshiftClusterConfigureOperations,
  iamPolicyDisallowAdminWildcard,
  iamPolicyDisallowServiceWildcards,
  iamUserDisallowCredentials,
  iamRoleEnforceMfa,
  iamRoleEnforceTrustConditions,
  cognitoUserPoolEnforceMfa,
  cognitoClientEnforceCodeFlow,
  iamResourcePolicyDisallowWildcardPrincipal,
  s3BucketEnforceEnclaveIsolation,
  kmsKeyEnableRotation,
  kmsKeyDisallowLockoutBypass,
  secretsmanagerSecretEnableRotation,
  ec2InstanceEnforceImdsv2,
  ec2InstanceEnforceVpcPlacement,
  ec2InstanceDisallowBurstableDedicated,
  ec2InstanceMissingProfile,
  ec2InstanceConfigureMonitoring,
  lambdaFunctionConfigureIsolation,
  ec2VpcEnforceClosedDefaultSecurityGroup,
  pulumiResourceEnforceProtect,
  secretsInputDisallowLiteralCredentials,
  rdsInstanceEnforceManagedPassword,
  taggingResourceEnforcePhiEligibleService,
];
