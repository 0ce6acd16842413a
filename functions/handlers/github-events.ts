import { defineHandler, router } from 'hookline/handler';

/**
 * Example handler for GitHub deliveries, routed by event type (`x-github-event`). Replace the log
 * lines with your own work; throw to retry, throw `PermanentError` to dead-letter at once.
 */
export const handler = defineHandler(
  router()
    .on('push', (event, { log }) => {
      log.info('push received', { type: event.type, attempt: event.attempt });
    })
    .on('pull_request', (event, { log }) => {
      log.info('pull request event received', { type: event.type, attempt: event.attempt });
    })
    .otherwise((event, { log }) => {
      log.info('other github event received', { type: event.type, attempt: event.attempt });
    }),
);
