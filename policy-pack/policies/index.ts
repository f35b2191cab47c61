/**
 * Every policy of the pack, in a stable order. Importing this starts nothing: the tests and the
 * offline plan use it, and ../index.ts hands it to the PolicyPack.
 */
import { cloudwatchLogGroupEnforceEncryption } from "./cloudwatch/enforceLogGroupEncryption";
import { ec2IngressEnforceAdminAllowlist } from "./ec2/enforceAdminAllowlist";
import { ec2VolumeEnforceEncryption } from "./ec2/enforceVolumeEncryption";
import { efsFileSystemEnforceEncryption } from "./efs/enforceEncryption";
import { EhealthPolicy } from "./lib/policy";
import { rdsStorageEnforceEncryption } from "./rds/enforceStorageEncryption";
import { s3BucketEnforceEncryption } from "./s3/enforceBucketEncryption";

export type {
  EhealthPolicy,
  EhealthResourcePolicy,
  EhealthStackPolicy,
  PolicyMeta,
} from "./lib/policy";

export const policies: readonly EhealthPolicy[] = [
  ec2IngressEnforceAdminAllowlist,
  ec2VolumeEnforceEncryption,
  rdsStorageEnforceEncryption,
  efsFileSystemEnforceEncryption,
  cloudwatchLogGroupEnforceEncryption,
  s3BucketEnforceEncryption,
];
