/**
 * Settings every long-lived AWS SDK client Hookline makes shares. `cacheMiddleware` resolves each
 * command's middleware stack once per client instead of on every call, which the SDK documents as
 * saving up to a millisecond per request; it is safe because Hookline never changes a client's
 * middleware after its first request.
 */
export const AWS_CLIENT_DEFAULTS = { cacheMiddleware: true } as const;
