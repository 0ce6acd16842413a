/**
 * How the scenarios reach the rehearsed stack: webhooks signed as each route's provider signs them,
 * over the HTTP API, and the admin API as the CLI calls it, counted; each answer checked.
 */
import { createHmac } from 'node:crypto';
import { AdminClient } from '../../shared/cli/admin-client.js';
import { createSigV4Signer } from '../../shared/cli/sigv4.js';
import { githubHeaders, standardWebhooksHeaders } from '../helpers/signers.js';
import type { SessionCredentials } from './function-process.js';

type Scheme = 'github' | 'standardWebhooks' | 'asana';

export interface ScenarioRoute {
  readonly path: string;
  readonly scheme: Scheme;
  /** The full ARN of the route's secret. */
  readonly secretArn: string;
  /** The signing secret: the secret's value, or for `asana` the key its handshake hands over. */
  readonly secret: string;
  /** Whether the route has a circuit breaker: its failures are the circuit scenario's. */
  readonly breaker: boolean;
}

export interface EventView {
  readonly id: string;
  readonly status: string;
}

const SETTLE_TIMEOUT_MS = 60_000;

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ScenarioError(message);
}

/** Asana's `X-Hook-Signature`: the hex HMAC-SHA256 of the body with the handed-over key. */
function asanaHeaders(secret: string, body: string) {
  return {
    'content-type': 'application/json',
    'x-hook-signature': createHmac('sha256', secret).update(body).digest('hex'),
  };
}

async function signedHeaders(route: ScenarioRoute, body: string, delivery: string) {
  switch (route.scheme) {
    case 'github':
      return githubHeaders(route.secret, body, delivery);
    case 'standardWebhooks':
      return standardWebhooksHeaders(route.secret, body, delivery);
    case 'asana':
      return asanaHeaders(route.secret, body);
  }
}

export class ScenarioClient {
  webhooks = 0;
  adminRequests = 0;
  /** The admin API, its requests signed (SigV4, `execute-api`) as the CLI signs them for a deployed stack. */
  readonly admin: AdminClient;

  constructor(
    private readonly url: string,
    signing: { readonly region: string; readonly credentials: SessionCredentials },
  ) {
    this.admin = new AdminClient({
      adminUrl: `${url}/_hookline`,
      timeoutMs: 20_000,
      signer: createSigV4Signer(signing),
    });
  }

  /** Sends a webhook signed for `route`; its answer's status and event id. */
  async send(route: ScenarioRoute, payload: Record<string, unknown>, delivery: string, pad = 0) {
    this.webhooks += 1;
    const body = JSON.stringify({ ...payload, padding: 'x'.repeat(pad) });
    const response = await fetch(`${this.url}${route.path.replace(/\/$/, '')}`, {
      method: 'POST',
      headers: await signedHeaders(route, body, delivery),
      body,
    });
    const reply = (await response.json()) as { id?: string };
    return { status: response.status, id: reply.id ?? '' };
  }

  /** Sends a webhook that must be accepted; its event id. */
  async accepted(route: ScenarioRoute, payload: Record<string, unknown>, delivery: string): Promise<string> {
    const sent = await this.send(route, payload, delivery);
    check(sent.status === 202, `a signed webhook to ${route.path} got ${sent.status}`);
    return sent.id;
  }

  /** Asana's handshake: an unsigned, empty `POST` handing `key` over in `X-Hook-Secret`. */
  async handshake(route: ScenarioRoute, key: string) {
    this.webhooks += 1;
    const response = await fetch(`${this.url}${route.path.replace(/\/$/, '')}`, {
      method: 'POST',
      headers: { 'x-hook-secret': key },
    });
    await response.arrayBuffer();
    return { status: response.status, echoed: response.headers.get('x-hook-secret') };
  }

  /** One admin request, counted. */
  call<T>(request: (admin: AdminClient) => Promise<T>): Promise<T> {
    this.adminRequests += 1;
    return request(this.admin);
  }

  async statusOf(id: string): Promise<string> {
    return (await this.call((admin) => admin.get<{ event: EventView }>(`/events/${id}`))).event.status;
  }

  /** Waits until every event of `ids` is `wanted`. */
  async settle(ids: readonly string[], wanted: string, timeoutMs = SETTLE_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const id of ids) {
      let status = await this.statusOf(id);
      while (status !== wanted && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        status = await this.statusOf(id);
      }
      check(status === wanted, `event ${id} is ${status}, not ${wanted}, after ${timeoutMs / 1000} s`);
    }
  }
}
