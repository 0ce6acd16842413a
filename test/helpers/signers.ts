/** Request signers built on the providers' own SDKs, so tests never sign with the code under test. */
import { sign as signGithub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';

export async function githubHeaders(secret: string, body: string, delivery: string, event = 'push') {
  return {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': delivery,
    'x-hub-signature-256': await signGithub(secret, body),
  };
}

const stripe = new Stripe('sk_test_hookline');

export function stripeHeaders(secret: string, body: string, timestamp?: number) {
  return {
    'content-type': 'application/json',
    'stripe-signature': stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret,
      ...(timestamp !== undefined && { timestamp }),
    }),
  };
}

/** `secret` is a `whsec_` Standard Webhooks secret. */
export function standardWebhooksHeaders(secret: string, body: string, messageId: string, at = new Date()) {
  return {
    'content-type': 'application/json',
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(messageId, at, body),
  };
}
