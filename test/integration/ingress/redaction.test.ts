/**
 * Redaction through the real ingress, DynamoDB Local and the SQS emulator: nothing the gateway
 * stores or queues holds a redacted value (checked on the raw table items and message bodies), the
 * signature is still checked on the body as it arrived, and deliveries are still told apart by the
 * id the provider sent even when that header is redacted.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBody } from '../../../shared/envelope.js';
import {
  connectEmulators,
  drainQueue,
  type Emulators,
  type IngressUnderTest,
  requireQueues,
  startIngress,
} from '../../helpers/ingress-stack.js';
import { makeRoute } from '../../helpers/routes.js';
import { githubHeaders } from '../../helpers/signers.js';

const SECRET = 'redaction-route-secret';
const CARD = '4242424242424242';
const EMAIL = 'jane.doe@example.com';

const TELEGRAM_TOKEN = 'telegram_secret-token-42';
const telegramRoute = makeRoute({
  path: '/telegram/',
  verify: { scheme: 'telegram', secret: { name: 'TELEGRAM_SECRET' } },
});
const route = makeRoute({
  path: '/payments/',
  verify: { scheme: 'github', secret: { name: 'PAYMENTS_SECRET' } },
  redact: { body: ['card.number', 'customers.*.email'], headers: ['x-github-delivery'] },
});

let emulators: Emulators;
let ingress: IngressUnderTest;

beforeAll(async () => {
  emulators = await connectEmulators();
  ingress = await startIngress(emulators, [route, telegramRoute], {
    secrets: { PAYMENTS_SECRET: SECRET, TELEGRAM_SECRET: TELEGRAM_TOKEN },
  });
});

afterAll(async () => {
  await ingress?.close();
  emulators?.close();
});

function payment(n: number): string {
  return JSON.stringify({
    n,
    card: { number: CARD, brand: 'visa' },
    customers: [{ email: EMAIL, name: 'Jane' }],
  });
}

async function rawTable(): Promise<string> {
  const { Items = [] } = await emulators.dynamo.client.send(
    new ScanCommand({ TableName: ingress.tableName }),
  );
  return JSON.stringify(Items);
}

describe('redaction before storage', () => {
  it('stores and queues the event with the redacted values replaced, and nowhere the originals', async () => {
    const body = payment(1);
    const reply = await ingress.post(route.path, body, await githubHeaders(SECRET, body, 'delivery-1'));
    expect(reply.status).toBe(202);

    const [envelope] = await drainQueue(
      emulators.sqs.client,
      requireQueues(ingress.queues, route.path).queueUrl,
    );
    const queued = JSON.parse(Buffer.from(decodeBody(envelope ?? ({} as never))).toString('utf8'));
    expect(queued).toEqual({
      n: 1,
      card: { number: '[REDACTED]', brand: 'visa' },
      customers: [{ email: '[REDACTED]', name: 'Jane' }],
    });
    expect(envelope?.headers['x-github-delivery']).toBe('[REDACTED]');
    const table = await rawTable();
    const message = JSON.stringify(envelope);
    for (const secret of [CARD, EMAIL, 'delivery-1']) {
      expect(table).not.toContain(secret);
      expect(message).not.toContain(secret);
    }
  });

  it('still answers a provider retry as a duplicate, and another delivery as new', async () => {
    const body = payment(2);
    const first = await ingress.post(route.path, body, await githubHeaders(SECRET, body, 'delivery-2'));
    const retry = await ingress.post(route.path, body, await githubHeaders(SECRET, body, 'delivery-2'));
    const other = await ingress.post(route.path, body, await githubHeaders(SECRET, body, 'delivery-3'));

    expect([first.status, retry.status, other.status]).toEqual([202, 200, 202]);
    expect(retry.json.id).toBe(first.json.id);
    expect(other.json.id).not.toBe(first.json.id);
  });

  it('verifies the signature of the body as it arrived, before anything is redacted', async () => {
    const body = payment(4);
    const signedForRedacted = await githubHeaders(
      SECRET,
      body.replace(CARD, '[REDACTED]').replace(EMAIL, '[REDACTED]'),
      'delivery-4',
    );

    const reply = await ingress.post(route.path, body, signedForRedacted);

    expect(reply.status).toBe(401);
  });

  it('never stores nor queues the header a token scheme is authenticated by', async () => {
    const body = JSON.stringify({ update_id: 7, message: { text: 'hi' } });
    const reply = await ingress.post(telegramRoute.path, body, {
      'content-type': 'application/json',
      'x-telegram-bot-api-secret-token': TELEGRAM_TOKEN,
    });
    expect(reply.status).toBe(202);

    const [envelope] = await drainQueue(
      emulators.sqs.client,
      requireQueues(ingress.queues, telegramRoute.path).queueUrl,
    );
    expect(envelope?.headers).not.toHaveProperty('x-telegram-bot-api-secret-token');
    expect(JSON.stringify(envelope)).not.toContain(TELEGRAM_TOKEN);
    expect(await rawTable()).not.toContain(TELEGRAM_TOKEN);
  });
});
