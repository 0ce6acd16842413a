/**
 * Paddle Billing `transaction.completed`: the notification with the completed transaction as `data`.
 * The signer adds `paddle-signature`.
 */
import type { SampleContext, WebhookSample } from './sample.js';
import { hexId, jsonSample, secondsBefore } from './sample-builders.js';

/** A Paddle id: its entity's prefix and 26 lower-case characters (`txn_01h…`) unique to this trigger. */
function paddleId(context: SampleContext, prefix: string): string {
  return `${prefix}_${hexId(context, `paddle.${prefix}`, 26)}`;
}

const transactionCompleted = jsonSample({
  name: 'paddle.transaction.completed',
  description: 'Paddle transaction.completed: a $10.00 subscription payment fully processed',
  scheme: 'paddle',
  eventType: 'transaction.completed',
  payload: (context) => {
    const occurredAt = context.now.toISOString();
    const createdAt = secondsBefore(context.now, 30).toISOString();
    return {
      event_id: paddleId(context, 'evt'),
      event_type: 'transaction.completed',
      occurred_at: occurredAt,
      notification_id: paddleId(context, 'ntf'),
      data: {
        id: paddleId(context, 'txn'),
        status: 'completed',
        customer_id: paddleId(context, 'ctm'),
        address_id: paddleId(context, 'add'),
        business_id: null,
        custom_data: null,
        origin: 'web',
        collection_mode: 'automatic',
        subscription_id: paddleId(context, 'sub'),
        invoice_id: paddleId(context, 'inv'),
        invoice_number: '325-10566',
        currency_code: 'USD',
        discount_id: null,
        created_at: createdAt,
        updated_at: occurredAt,
        billed_at: createdAt,
        items: [
          {
            price: {
              id: 'pri_01gsz8x8sawmvhz1pv30nge1ke',
              product_id: 'pro_01gsz4t5hdjse780zja8vvr7jg',
              name: 'Monthly (per seat)',
            },
            quantity: 1,
          },
        ],
        details: {
          totals: {
            subtotal: '1000',
            discount: '0',
            tax: '0',
            total: '1000',
            grand_total: '1000',
            currency_code: 'USD',
          },
        },
        payments: [
          {
            payment_attempt_id: hexId(context, 'paddle.payment_attempt', 32),
            amount: '1000',
            status: 'captured',
            method_details: {
              type: 'card',
              card: { type: 'visa', last4: '4242', expiry_month: 1, expiry_year: 2030 },
            },
            captured_at: occurredAt,
          },
        ],
        checkout: { url: 'https://example.com/pay?_ptxn=txn' },
      },
    };
  },
});

/** Paddle's sample: `paddle.transaction.completed`. */
export const paddleSamples: readonly WebhookSample[] = [transactionCompleted];
