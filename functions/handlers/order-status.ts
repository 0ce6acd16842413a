import { defineHandler } from 'hookline/handler';

/**
 * Example handler for order status webhooks (Standard Webhooks; `event.type` is the payload's
 * `type`). Replace the log line with your own work.
 */
export const handler = defineHandler((event, { log }) => {
  log.info('order status event received', { type: event.type, attempt: event.attempt });
});
