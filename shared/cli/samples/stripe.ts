/**
 * Stripe events in test mode: complete `event` objects (`evt_…`, `api_version`, `data.object`), as
 * `stripe trigger` sends them. The signer adds `stripe-signature`.
 */
import type { SampleContext, WebhookSample } from './sample.js';
import { hexId, jsonSample, secondsBefore, unixSeconds } from './sample-builders.js';

const API_VERSION = '2024-06-20';
const AMOUNT = 2000;
const CURRENCY = 'usd';
const CUSTOMER_EMAIL = 'jenny.rosen@example.com';

/** A Stripe id: its object's prefix and 24 characters unique to this trigger. */
function stripeId(context: SampleContext, prefix: string): string {
  return `${prefix}_${hexId(context, `stripe.${prefix}`)}`;
}

/** `data.object` of an event, built from the trigger's context. */
type EventObject = (context: SampleContext) => Record<string, unknown>;

/** A test-mode Stripe event of `type` carrying `object`. */
function stripeEvent(type: string, description: string, object: EventObject): WebhookSample {
  return jsonSample({
    name: `stripe.${type}`,
    description,
    scheme: 'stripe',
    eventType: type,
    contentType: 'application/json; charset=utf-8',
    headers: () => ({ 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' }),
    payload: (context) => ({
      id: stripeId(context, 'evt'),
      object: 'event',
      api_version: API_VERSION,
      created: unixSeconds(context.now),
      data: { object: object(context) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: stripeId(context, 'req'), idempotency_key: hexId(context, 'stripe.idempotency', 32) },
      type,
    }),
  });
}

const paymentIntentSucceeded = stripeEvent(
  'payment_intent.succeeded',
  'Stripe payment_intent.succeeded: a $20.00 card payment captured',
  (context) => ({
    id: stripeId(context, 'pi'),
    object: 'payment_intent',
    amount: AMOUNT,
    amount_received: AMOUNT,
    capture_method: 'automatic_async',
    client_secret: `${stripeId(context, 'pi')}_secret_${hexId(context, 'stripe.client_secret')}`,
    created: unixSeconds(secondsBefore(context.now, 2)),
    currency: CURRENCY,
    customer: null,
    latest_charge: stripeId(context, 'ch'),
    livemode: false,
    metadata: {},
    payment_method: stripeId(context, 'pm'),
    payment_method_types: ['card'],
    status: 'succeeded',
  }),
);

const checkoutSessionCompleted = stripeEvent(
  'checkout.session.completed',
  'Stripe checkout.session.completed: a paid Checkout Session',
  (context) => ({
    id: `cs_test_${hexId(context, 'stripe.cs', 58)}`,
    object: 'checkout.session',
    amount_subtotal: AMOUNT,
    amount_total: AMOUNT,
    client_reference_id: null,
    created: unixSeconds(secondsBefore(context.now, 60)),
    currency: CURRENCY,
    customer: stripeId(context, 'cus'),
    customer_details: { email: CUSTOMER_EMAIL, name: 'Jenny Rosen', address: { country: 'US' } },
    expires_at: unixSeconds(context.now) + 86_400,
    livemode: false,
    metadata: {},
    mode: 'payment',
    payment_intent: stripeId(context, 'pi'),
    payment_status: 'paid',
    status: 'complete',
    success_url: 'https://example.com/success',
  }),
);

const invoicePaid = stripeEvent(
  'invoice.paid',
  'Stripe invoice.paid: a subscription invoice paid',
  (context) => ({
    id: stripeId(context, 'in'),
    object: 'invoice',
    amount_due: AMOUNT,
    amount_paid: AMOUNT,
    amount_remaining: 0,
    attempt_count: 1,
    billing_reason: 'subscription_cycle',
    collection_method: 'charge_automatically',
    created: unixSeconds(secondsBefore(context.now, 3600)),
    currency: CURRENCY,
    customer: stripeId(context, 'cus'),
    customer_email: CUSTOMER_EMAIL,
    hosted_invoice_url: `https://invoice.stripe.com/i/acct_1NxYzExample/test_${hexId(context, 'stripe.hosted')}`,
    livemode: false,
    number: 'B2C5F1A3-0007',
    paid: true,
    status: 'paid',
    subscription: stripeId(context, 'sub'),
    total: AMOUNT,
  }),
);

/** Stripe's samples: `stripe.payment_intent.succeeded`, `stripe.checkout.session.completed`, `stripe.invoice.paid`. */
export const stripeSamples: readonly WebhookSample[] = [
  paymentIntentSucceeded,
  checkoutSessionCompleted,
  invoicePaid,
];
