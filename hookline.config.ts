import { defineConfig } from 'hookline/config';

/**
 * Hookline routes. Each route gets its own webhook URL, ingress function, queue, dead-letter queue
 * and handler. Secrets are never written here: `secret.name` names a Secrets Manager secret when
 * deployed and an environment variable (or `.env` entry) locally.
 */
export default defineConfig({
  name: 'hookline',
  routes: [
    {
      path: '/github/',
      verify: { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } },
      handler: 'functions/handlers/github-events.ts',
      filters: { headers: { 'x-github-event': '^(push|pull_request|ping)$' } },
    },
    {
      path: '/stripe/',
      verify: { scheme: 'stripe', secret: { name: 'STRIPE_WEBHOOK_SECRET' }, toleranceSeconds: 300 },
      handler: 'functions/handlers/stripe-events.ts',
      retry: { maxAttempts: 8, initialDelaySeconds: 30, maxDelaySeconds: 3600 },
    },
    {
      path: '/order/status/',
      verify: { scheme: 'standardWebhooks', secret: { name: 'ORDER_STATUS_WEBHOOK_SECRET' } },
      handler: 'functions/handlers/order-status.ts',
      batchSize: 10,
      timeoutSeconds: 20,
    },
  ],
});
