/**
 * Square `payment.updated`: a card payment completed. The signer adds
 * `x-square-hmacsha256-signature` (over the notification URL and the body).
 */
import type { SampleContext, WebhookSample } from './sample.js';
import { hexId, jsonSample, secondsBefore, uuidId } from './sample-builders.js';

const MERCHANT_ID = '6SSW7HV8K2ST5';
const LOCATION_ID = 'S8GWD5R9QB376';

/** A Square object id: 29 upper-case characters unique to this trigger. */
function squareId(context: SampleContext, label: string): string {
  return hexId(context, `square.${label}`, 29).toUpperCase();
}

const paymentUpdated = jsonSample({
  name: 'square.payment.updated',
  description: 'Square payment.updated: a $10.00 card payment completed',
  scheme: 'square',
  eventType: 'payment.updated',
  headers: () => ({ 'user-agent': 'Square Connect v2', 'square-version': '2025-01-23' }),
  payload: (context) => {
    const paymentId = squareId(context, 'payment');
    const createdAt = secondsBefore(context.now, 3).toISOString();
    const updatedAt = context.now.toISOString();
    return {
      merchant_id: MERCHANT_ID,
      type: 'payment.updated',
      event_id: uuidId(context, 'square.event'),
      created_at: updatedAt,
      data: {
        type: 'payment',
        id: paymentId,
        object: {
          payment: {
            id: paymentId,
            amount_money: { amount: 1000, currency: 'USD' },
            total_money: { amount: 1000, currency: 'USD' },
            approved_money: { amount: 1000, currency: 'USD' },
            card_details: {
              status: 'CAPTURED',
              card: { card_brand: 'VISA', last_4: '1111', exp_month: 11, exp_year: 2030 },
              entry_method: 'KEYED',
            },
            location_id: LOCATION_ID,
            order_id: squareId(context, 'order'),
            receipt_number: paymentId.slice(0, 4),
            source_type: 'CARD',
            status: 'COMPLETED',
            created_at: createdAt,
            updated_at: updatedAt,
            version: 3,
          },
        },
      },
    };
  },
});

/** Square's sample: `square.payment.updated`. */
export const squareSamples: readonly WebhookSample[] = [paymentUpdated];
