/**
 * Webhook bodies of an exact size for the delivery bench, reproducible from their `benchId`. The
 * realistic one is an e-commerce order event like a payment provider's (nested objects, line items,
 * addresses, ISO timestamps, amounts, emails, random-looking ids), so it compresses about as well as
 * real webhook JSON, not like a repeated pattern; the incompressible one carries random base64, a
 * worst case for anything that compresses stored bodies. Both carry `"type":"bench.event"` and
 * `benchId`, which the bench handler reads.
 */
import { createHash } from 'node:crypto';

type Random = () => number;

/** A seeded PRNG (mulberry32) keyed by `key`: the same key gives the same sequence. */
function seeded(key: string): Random {
  let state = createHash('sha256').update(key).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function integer(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

function pick<T>(random: Random, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)] as T;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(random: Random, length: number): string {
  let id = '';
  for (let i = 0; i < length; i++) id += BASE62[Math.floor(random() * 62)];
  return id;
}

/** A moment in the first quarter of 2026, as `2026-02-11T08:15:42.137Z`. */
function timestamp(random: Random, afterMs = Date.UTC(2026, 0, 1)): string {
  return new Date(afterMs + Math.floor(random() * 90 * 86_400_000)).toISOString();
}

const FIRST_NAMES = ['Amara', 'Lucas', 'Sofia', 'Kenji', 'Priya', 'Mateo', 'Chloe', 'Noah', 'Ingrid', 'Omar'];
const LAST_NAMES = ['Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Raman', 'Herrera', 'Walsh', 'Novak', 'Berg'];
const DOMAINS = ['example.com', 'mail.example.org', 'example.net', 'shop.example.co.uk'];
const STREETS = ['Maple Avenue', 'Harbor Road', 'Elm Street', 'Lakeview Drive', 'Station Lane', 'Oak Court'];
const CITIES = [
  { city: 'Portland', state: 'OR', zip: '972' },
  { city: 'Austin', state: 'TX', zip: '787' },
  { city: 'Columbus', state: 'OH', zip: '432' },
  { city: 'Raleigh', state: 'NC', zip: '276' },
  { city: 'Denver', state: 'CO', zip: '802' },
] as const;
const PRODUCTS = [
  'Merino Wool Crew Sweater',
  'Ceramic Pour-Over Coffee Set',
  'Waterproof Trail Running Shoes',
  'Organic Cotton Bath Towel',
  'Stainless Steel Water Bottle 750 ml',
  'Bamboo Cutting Board, Large',
  'Wireless Noise-Cancelling Earbuds',
  'Linen Throw Pillow Cover',
  'Cast Iron Skillet 26 cm',
  'Recycled Nylon Daypack',
];
const WORDS = [
  'please',
  'leave',
  'the',
  'parcel',
  'at',
  'side',
  'door',
  'if',
  'nobody',
  'answers',
  'gift',
  'wrap',
  'second',
  'item',
  'call',
  'before',
  'delivery',
  'buzzer',
  'is',
  'broken',
  'thanks',
  'back',
  'porch',
  'by',
  'Friday',
];

interface Address {
  readonly line1: string;
  readonly line2: string | null;
  readonly city: string;
  readonly state: string;
  readonly postal_code: string;
  readonly country: 'US';
}

function address(random: Random): Address {
  const place = pick(random, CITIES);
  return {
    line1: `${integer(random, 1, 9999)} ${pick(random, STREETS)}`,
    line2: random() < 0.4 ? `Apt ${integer(random, 1, 40)}` : null,
    city: place.city,
    state: place.state,
    postal_code: `${place.zip}${String(integer(random, 0, 99)).padStart(2, '0')}`,
    country: 'US',
  };
}

interface LineItem {
  readonly id: string;
  readonly object: 'line_item';
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unit_amount: number;
  readonly currency: 'usd';
  readonly discount: { readonly coupon: string; readonly amount_off: number } | null;
  readonly gift: boolean;
}

function lineItem(random: Random): LineItem {
  const quantity = integer(random, 1, 4);
  const unitAmount = integer(random, 5, 250) * 100 - pick(random, [0, 1, 5, 51]);
  return {
    id: `li_${base62(random, 14)}`,
    object: 'line_item',
    sku: `SKU-${integer(random, 10000, 99999)}-${pick(random, ['BLK', 'WHT', 'NVY', 'GRN'])}`,
    name: pick(random, PRODUCTS),
    quantity,
    unit_amount: unitAmount,
    currency: 'usd',
    discount: random() < 0.2 ? { coupon: base62(random, 8).toUpperCase(), amount_off: 500 } : null,
    gift: random() < 0.15,
  };
}

/** An order event with `items` and `note`; totals follow the items. */
function orderEvent(random: Random, benchId: string): (items: readonly LineItem[], note: string) => string {
  const first = pick(random, FIRST_NAMES);
  const last = pick(random, LAST_NAMES);
  const createdMs = Date.parse(timestamp(random));
  const head = {
    type: 'bench.event',
    benchId,
    id: `evt_${base62(random, 24)}`,
    object: 'event',
    created: new Date(createdMs + 2_000).toISOString(),
    livemode: false,
  };
  const order = {
    id: `ord_${base62(random, 20)}`,
    object: 'order',
    status: 'paid',
    currency: 'usd',
    created_at: new Date(createdMs).toISOString(),
    customer: {
      id: `cus_${base62(random, 14)}`,
      email: `${first}.${last}${integer(random, 1, 99)}@${pick(random, DOMAINS)}`.toLowerCase(),
      name: `${first} ${last}`,
      phone: random() < 0.5 ? null : `+1${integer(random, 2000000000, 9899999999)}`,
    },
    shipping_address: address(random),
    payment: {
      id: `pi_${base62(random, 24)}`,
      brand: pick(random, ['visa', 'mastercard', 'amex']),
      last4: String(integer(random, 0, 9999)).padStart(4, '0'),
      captured: true,
      captured_at: new Date(createdMs + 1_200).toISOString(),
    },
  };
  return (items, note) => {
    const subtotal = items.reduce((sum, item) => sum + item.quantity * item.unit_amount, 0);
    const discount = items.reduce((sum, item) => sum + (item.discount?.amount_off ?? 0), 0);
    const tax = Math.round((subtotal - discount) * 0.0825);
    return JSON.stringify({
      ...head,
      data: {
        object: {
          ...order,
          line_items: items,
          amount_subtotal: subtotal,
          amount_tax: tax,
          amount_total: subtotal - discount + tax,
          note,
        },
      },
    });
  };
}

/** Free text of exactly `length` characters (none that JSON escapes). */
function freeText(random: Random, length: number): string {
  let text = '';
  while (text.length < length) text += `${text === '' ? '' : ' '}${pick(random, WORDS)}`;
  return text.slice(0, length);
}

function exactly(body: string, bytes: number): string {
  const actual = Buffer.byteLength(body);
  if (actual !== bytes) throw new Error(`bench body is ${actual} B, not ${bytes} B`);
  JSON.parse(body);
  return body;
}

/**
 * A realistic order webhook of exactly `bytes` bytes: line items are added while they fit, then the
 * order's free-text `note` takes up the rest. The same `benchId` and size give the same body.
 */
export function realisticBody(benchId: string, bytes: number): string {
  const random = seeded(benchId);
  const render = orderEvent(random, benchId);
  const items: LineItem[] = [];
  for (;;) {
    const item = lineItem(random);
    if (Buffer.byteLength(render([...items, item], '')) > bytes) break;
    items.push(item);
  }
  const free = bytes - Buffer.byteLength(render(items, ''));
  if (free < 0) throw new RangeError(`a realistic bench body needs at least ${bytes - free} bytes`);
  return exactly(render(items, freeText(random, free)), bytes);
}

/** JSON of exactly `bytes` bytes whose bulk is random base64 from a PRNG seeded by `benchId`. */
export function incompressibleBody(benchId: string, bytes: number): string {
  const head = JSON.stringify({ type: 'bench.event', benchId, data: { encoding: 'base64', blob: '' } });
  const fill = bytes - Buffer.byteLength(head);
  if (fill < 0) throw new RangeError(`an incompressible bench body needs at least ${bytes - fill} bytes`);
  const random = seeded(benchId);
  const raw = Buffer.alloc(Math.ceil((fill * 3) / 4));
  for (let i = 0; i < raw.length; i++) raw[i] = Math.floor(random() * 256);
  const blob = raw.toString('base64').slice(0, fill);
  // The empty blob's closing quote is where the random text goes.
  const at = head.length - '"}}'.length;
  return exactly(head.slice(0, at) + blob + head.slice(at), bytes);
}
