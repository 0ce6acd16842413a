import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

/** Shopify webhooks: `x-shopify-hmac-sha256`, the base64 HMAC-SHA256 of the raw body. */
export const shopifyVerify = z.strictObject({ scheme: z.literal('shopify'), secret: secretReference });
