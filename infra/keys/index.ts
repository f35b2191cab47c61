import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KEY_DESCRIPTIONS, KEY_PURPOSES, KeyPurpose, keyPolicy } from "./policy";

export { KEY_PURPOSES, KeyPurpose, LogsKeyContext, keyPolicy } from "./policy";

/** Days a scheduled key deletion waits before it happens: the longest AWS allows. */
export const DEFAULT_DELETION_WINDOW_DAYS = 30;
/** Automatic rotation period of the key material. */
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;

export interface KeysArgs {
  /** The AWS account that owns the keys. */
  readonly accountId: string;
  /** The AWS partition (aws, aws-us-gov). */
  readonly partition: string;
  /** The region of the keys; service endpoints in the key policies are this region's. */
  readonly region: string;
  /** Prefix of the key aliases, `alias/<prefix>-<purpose>`. @default the component name */
  readonly aliasPrefix?: string;
  /** Days before a scheduled deletion takes effect (7..30). @default 30 */
  readonly deletionWindowInDays?: number;
  /**
   * The buckets that keep logs under the logs key (the log archive, AWS Config's bucket): account
   * principals may read their objects through S3. @default none
   */
  readonly logArchiveBucketArns?: pulumi.Input<string[]>;
  /** Protect the keys from deletion and keep them when the stack is destroyed. @default true */
  readonly protect?: boolean;
}

/**
 * Customer-managed KMS keys, one per purpose (PHI data, logs, backups), rotated yearly, each with a
 * policy that lets only the services of its purpose use it.
 */
export class Keys extends pulumi.ComponentResource {
  public readonly keys: Readonly<Record<KeyPurpose, aws.kms.Key>>;
  public readonly phiKeyArn: pulumi.Output<string>;
  public readonly logsKeyArn: pulumi.Output<string>;
  public readonly backupsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: KeysArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("ehealth:keys:Keys", name, {}, opts);
    const deletionWindowInDays = args.deletionWindowInDays ?? DEFAULT_DELETION_WINDOW_DAYS;
    if (
      !Number.isInteger(deletionWindowInDays) ||
      deletionWindowInDays < 7 ||
      deletionWindowInDays > 30
    ) {
      throw new Error(
        `Keys ${name}: deletionWindowInDays must be 7..30, got ${deletionWindowInDays}`,
      );
    }
    const protect = args.protect ?? true;
    const aliasPrefix = args.aliasPrefix ?? name;

    const ctx = { accountId: args.accountId, partition: args.partition, region: args.region };
    const archives = pulumi.output(args.logArchiveBucketArns ?? []);
    const keys = {} as Record<KeyPurpose, aws.kms.Key>;
    for (const purpose of KEY_PURPOSES) {
      // A key that is gone makes every backup and replica encrypted under it unreadable:
      // retain it past the stack, and let only an explicit opt-out (dev) delete it.
      const key = new aws.kms.Key(
        `${name}-${purpose}`,
        {
          description: `${aliasPrefix}: ${KEY_DESCRIPTIONS[purpose]}`,
          keyUsage: "ENCRYPT_DECRYPT",
          customerMasterKeySpec: "SYMMETRIC_DEFAULT",
          enableKeyRotation: true,
          rotationPeriodInDays: DEFAULT_ROTATION_PERIOD_DAYS,
          deletionWindowInDays,
          multiRegion: false,
          policy:
            purpose === "logs"
              ? archives.apply((logArchiveBucketArns) =>
                  JSON.stringify(keyPolicy(purpose, { ...ctx, logArchiveBucketArns })),
                )
              : JSON.stringify(keyPolicy(purpose, ctx)),
          tags: { Name: `${aliasPrefix}-${purpose}`, Purpose: purpose },
        },
        { parent: this, protect, retainOnDelete: protect },
      );
      new aws.kms.Alias(
        `${name}-${purpose}`,
        { name: `alias/${aliasPrefix}-${purpose}`, targetKeyId: key.keyId },
        { parent: this },
      );
      keys[purpose] = key;
    }
    this.keys = keys;
    this.phiKeyArn = keys.phi.arn;
    this.logsKeyArn = keys.logs.arn;
    this.backupsKeyArn = keys.backups.arn;
    this.registerOutputs({
      phiKeyArn: this.phiKeyArn,
      logsKeyArn: this.logsKeyArn,
      backupsKeyArn: this.backupsKeyArn,
    });
  }
}
