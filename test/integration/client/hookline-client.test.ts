/**
 * HooklineClient over real HTTP: a scripted server that fails before it accepts, a closed port,
 * and the real ingress (DynamoDB Local + SQS emulator) de-duplicating a resent webhook-id.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HooklineClient, HooklineClientError } from '../../../shared/client/index.js';
import { freePort } from '../../helpers/emulators.js';
import {
  connectEmulators,
  drainQueue,
  type Emulators,
  requireQueues,
  startIngress,
} from '../../helpers/ingress-stack.js';
import { makeRoute } from '../../helpers/routes.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ROOT = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);
const noWait = async () => {};

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** An HTTP server answering each request with the next status of `statuses` (the last one repeats). */
async function scriptedServer(
  statuses: readonly number[],
): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      const status = statuses[Math.min(received.length, statuses.length) - 1] ?? 500;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          status < 400
            ? { id: 'evt_01JTESTTESTTESTTESTTESTTES', status: 'queued' }
            : { error: { code: status === 503 ? 'queue_unavailable' : 'invalid_json', message: 'scripted' } },
        ),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('HooklineClient against an HTTP server', () => {
  it('retries two 503s and succeeds, sending the same webhook-id and body each time', async () => {
    // Arrange
    const { url, received, server } = await scriptedServer([503, 503, 202]);
    servers.push(server);
    const client = new HooklineClient({ baseUrl: url, secret: SECRET, sleep: noWait });
    // Act
    const result = await client.send('/order/status/', { order: 7 });
    // Assert
    expect(result).toMatchObject({ id: 'evt_01JTESTTESTTESTTESTTESTTES', status: 'queued', attempts: 3 });
    expect(received).toHaveLength(3);
    expect(new Set(received.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect(new Set(received.map((request) => request.body))).toEqual(new Set(['{"order":7}']));
    expect(received[0]?.headers['webhook-id']).toBe(result.webhookId);
  });

  it('fails a 400 at once with a HooklineClientError', async () => {
    const { url, received, server } = await scriptedServer([400]);
    servers.push(server);
    const client = new HooklineClient({ baseUrl: url, secret: SECRET, sleep: noWait });
    const error = await client.send('/order/status/', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HooklineClientError);
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid_json',
      message: expect.stringMatching(/400 invalid_json: scripted/),
    });
    expect(received).toHaveLength(1);
  });

  it('retries a closed port, then fails naming the connection error', async () => {
    const port = await freePort();
    let attempts = 0;
    const client = new HooklineClient({
      baseUrl: `http://127.0.0.1:${port}`,
      secret: SECRET,
      retries: 2,
      sleep: async () => {
        attempts += 1;
      },
    });
    const error = await client.send('/order/status/', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HooklineClientError);
    expect(error).toMatchObject({ code: 'network_error', retryable: true, attempts: 3 });
    expect((error as Error).message).toMatch(/failed after 3 attempt\(s\).*ECONNREFUSED/);
    expect(attempts).toBe(2);
  });

  it('times out a server that never answers', async () => {
    const server = createServer(() => {});
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
    const client = new HooklineClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      secret: SECRET,
      retries: 0,
      timeoutMs: 200,
    });
    await expect(client.send('/r/', {})).rejects.toMatchObject({ code: 'timeout', attempts: 1 });
    server.closeAllConnections();
  });
});

describe('HooklineClient against the real ingress', () => {
  let emulators: Emulators;
  beforeAll(async () => {
    emulators = await connectEmulators();
  });
  afterAll(() => {
    emulators?.close();
  });

  it('queues an event once: resending the same id is answered as a duplicate', async () => {
    // Arrange
    const route = makeRoute({
      path: '/client/orders/',
      verify: { scheme: 'standardWebhooks', secret: { name: 'CLIENT_ORDERS_SECRET' } },
    });
    const ingress = await startIngress(emulators, [route], { secrets: { CLIENT_ORDERS_SECRET: SECRET } });
    try {
      const client = new HooklineClient({ baseUrl: ingress.url, secret: SECRET });
      // Act
      const first = await client.send('/client/orders/', { order: 1 }, { id: 'msg_dedupe_1' });
      const second = await client.send('/client/orders/', { order: 1 }, { id: 'msg_dedupe_1' });
      // Assert
      expect(first).toMatchObject({ status: 'queued', duplicate: false, webhookId: 'msg_dedupe_1' });
      expect(second).toMatchObject({ id: first.id, status: 'duplicate', duplicate: true });
      const envelopes = await drainQueue(
        emulators.sqs.client,
        requireQueues(ingress.queues, route.path).queueUrl,
      );
      expect(envelopes.map((envelope) => envelope.id)).toEqual([first.id]);
    } finally {
      await ingress.close();
    }
  });

  it('works from plain JavaScript: `hookline/client` as npm run build builds it, no TypeScript loader', async () => {
    const route = makeRoute({
      path: '/client/plain/',
      verify: { scheme: 'standardWebhooks', secret: { name: 'CLIENT_PLAIN_SECRET' } },
    });
    const ingress = await startIngress(emulators, [route], { secrets: { CLIENT_PLAIN_SECRET: SECRET } });
    try {
      // The package imports itself by name, as another service would after installing it.
      const script = `
        import { HooklineClient } from 'hookline/client';
        const client = new HooklineClient({ baseUrl: process.env.BASE_URL, secret: process.env.SECRET });
        console.log(JSON.stringify(await client.send('/client/plain/', { order: 7 })));
      `;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', BASE_URL: ingress.url, SECRET },
      });
      const result = JSON.parse(stdout) as { id: string; status: string };
      expect(result.status).toBe('queued');
      const envelopes = await drainQueue(
        emulators.sqs.client,
        requireQueues(ingress.queues, route.path).queueUrl,
      );
      expect(envelopes.map((envelope) => [envelope.id, envelope.body])).toEqual([[result.id, '{"order":7}']]);
    } finally {
      await ingress.close();
    }
  });
});
