/**
 * Amazon SNS HTTP/S `Notification`. AWS signs each message with its own private key (the body carries
 * `Signature` and `SigningCertURL`), so the trigger cannot sign it: the `Signature` here is AWS's
 * documentation placeholder, which no route accepts.
 */
import type { SampleContext, WebhookSample } from './sample.js';
import { jsonSample, uuidId } from './sample-builders.js';

const REGION = 'us-east-1';
const TOPIC_ARN = `arn:aws:sns:${REGION}:123456789012:orders`;
const SIGNING_CERT_URL = `https://sns.${REGION}.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem`;
const SUBSCRIPTION_ARN = `${TOPIC_ARN}:c9135db0-26c4-47ec-8998-413945fb5a96`;
/** The example signature in AWS's documentation. */
const PLACEHOLDER_SIGNATURE =
  'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=';

/** The message id, the same in the body and in `x-amz-sns-message-id`. */
function messageId(context: SampleContext): string {
  return uuidId(context, 'sns.message');
}

const notification = jsonSample({
  name: 'sns.notification',
  description: 'Amazon SNS Notification: an order event published to a topic (cannot be signed)',
  scheme: 'sns',
  eventType: 'Notification',
  contentType: 'text/plain; charset=UTF-8',
  headers: (context) => ({
    'x-amz-sns-message-type': 'Notification',
    'x-amz-sns-message-id': messageId(context),
    'x-amz-sns-topic-arn': TOPIC_ARN,
    'x-amz-sns-subscription-arn': SUBSCRIPTION_ARN,
    'user-agent': 'Amazon Simple Notification Service Agent',
  }),
  payload: (context) => ({
    Type: 'Notification',
    MessageId: messageId(context),
    TopicArn: TOPIC_ARN,
    Subject: 'Order shipped',
    Message: JSON.stringify({ orderId: `A-${messageId(context).slice(0, 8)}`, status: 'shipped' }),
    Timestamp: context.now.toISOString(),
    SignatureVersion: '1',
    Signature: PLACEHOLDER_SIGNATURE,
    SigningCertURL: SIGNING_CERT_URL,
    UnsubscribeURL: `https://sns.${REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${SUBSCRIPTION_ARN}`,
  }),
});

/** Amazon SNS's sample: `sns.notification`. */
export const snsSamples: readonly WebhookSample[] = [notification];
