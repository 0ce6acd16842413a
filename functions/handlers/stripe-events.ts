import { defineHandler } from 'hookline/handler';

/**
 * Example handler for Stripe events (`event.type` is the Stripe event type, e.g.
 * `payment_intent.succeeded`). Replace the log line with your own work.
 */
export const handler = defineHandler((event, { log }) => {
  log.info('stripe event received', { type: event.type, attempt: event.attempt });
});
