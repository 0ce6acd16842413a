/**
 * Shopify `orders/create`: the order as the Admin API's REST representation, with the topic, shop
 * and API version in `x-shopify-*` headers. The signer adds `x-shopify-hmac-sha256`.
 */
import type { WebhookSample } from './sample.js';
import { isoSeconds, jsonSample, numericId, secondsBefore, uuidId } from './sample-builders.js';

const SHOP_DOMAIN = 'hookline-demo.myshopify.com';
const API_VERSION = '2025-01';

const ordersCreate = jsonSample({
  name: 'shopify.orders/create',
  description: 'Shopify orders/create: a new order with one line item',
  scheme: 'shopify',
  eventType: 'orders/create',
  headers: (context) => ({
    'x-shopify-topic': 'orders/create',
    'x-shopify-shop-domain': SHOP_DOMAIN,
    'x-shopify-api-version': API_VERSION,
    'x-shopify-webhook-id': context.id,
    'x-shopify-event-id': uuidId(context, 'shopify.event'),
    'x-shopify-triggered-at': context.now.toISOString(),
  }),
  payload: (context) => {
    const orderId = numericId(context, 'shopify.order', 13);
    const createdAt = isoSeconds(secondsBefore(context.now, 1));
    return {
      id: orderId,
      admin_graphql_api_id: `gid://shopify/Order/${orderId}`,
      name: `#${numericId(context, 'shopify.order_number', 4)}`,
      order_number: numericId(context, 'shopify.order_number', 4),
      email: 'jon@example.com',
      created_at: createdAt,
      updated_at: createdAt,
      currency: 'USD',
      financial_status: 'paid',
      fulfillment_status: null,
      subtotal_price: '199.00',
      total_tax: '0.00',
      total_price: '199.00',
      test: true,
      customer: {
        id: numericId(context, 'shopify.customer', 13),
        email: 'jon@example.com',
        first_name: 'Jon',
        last_name: 'Snow',
      },
      line_items: [
        {
          id: numericId(context, 'shopify.line_item', 14),
          product_id: 7_513_594_986_654,
          variant_id: 42_433_272_864_926,
          title: 'IPod Nano - 8GB',
          sku: 'IPOD2008PINK',
          quantity: 1,
          price: '199.00',
        },
      ],
      shipping_address: {
        first_name: 'Jon',
        last_name: 'Snow',
        address1: '123 Amoebobacterieae St',
        city: 'Ottawa',
        province_code: 'ON',
        country_code: 'CA',
        zip: 'K2P0V6',
      },
    };
  },
});

/** Shopify's sample: `shopify.orders/create`. */
export const shopifySamples: readonly WebhookSample[] = [ordersCreate];
