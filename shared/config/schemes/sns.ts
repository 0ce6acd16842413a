/** Route options of the `sns` scheme (Amazon SNS HTTP/S subscriptions). */
import { z } from 'zod';
import { seconds } from '../schema-fields.js';

/** A topic ARN in any partition (`aws`, `aws-cn`, `aws-us-gov`), standard or FIFO. */
const topicArn = z
  .string()
  .regex(
    /^arn:aws(-[a-z]+)*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/,
    'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)',
  );

/**
 * SNS has no shared secret: messages are RSA-signed by AWS with a certificate fetched from the
 * message's `SigningCertURL`. As any AWS account can make SNS sign messages for its own topics,
 * the topics to accept must be listed.
 */
export const snsVerify = z.strictObject({
  scheme: z.literal('sns'),
  /** The topics whose messages the route accepts, matched exactly against the signed `TopicArn`. */
  topicArns: z.array(topicArn).min(1),
  /**
   * Allowed distance, past or future, between the signed `Timestamp` (the publish time, kept on
   * every retry) and now. SNS retries an HTTP/S delivery for at most 3,600 s (a hard limit), so the
   * default adds 5 minutes of delivery latency and clock skew to that.
   * @default 3900
   */
  toleranceSeconds: seconds(1, 86_400).optional(),
  /**
   * Lowest accepted `SignatureVersion`: `1` (SHA1withRSA, the topic default) or `2`
   * (SHA256withRSA, set with the topic attribute `SignatureVersion`).
   * @default 1
   */
  minSignatureVersion: z.union([z.literal(1), z.literal(2)]).optional(),
});
