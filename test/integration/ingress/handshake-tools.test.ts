import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../../../shared/http/errors.js';
import { fetchStatus, handshakeTools } from '../../../shared/ingress/handshake-tools.js';
import { SecretNotSetError, type SecretResolver } from '../../../shared/secrets/resolver.js';

const OPTIONS = { scheme: 'github', secret: { name: 'ROUTE_SECRET' } } as const;

let server: Server;
let base: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(request.url ?? '');
    if (request.url === '/redirect') {
      response.writeHead(302, { location: '/confirmed' }).end();
    } else {
      response.writeHead(request.url === '/confirmed' ? 200 : 404).end('<xml/>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function resolverOf(resolve: SecretResolver['resolve'], store?: SecretResolver['store']): SecretResolver {
  return { resolve, ...(store !== undefined && { store }) };
}

describe('fetchStatus()', () => {
  it("answers the link's status", async () => {
    expect(await fetchStatus(`${base}/confirmed`)).toBe(200);
    expect(await fetchStatus(`${base}/missing`)).toBe(404);
  });

  it('does not follow a redirect to another link', async () => {
    seen.length = 0;

    expect(await fetchStatus(`${base}/redirect`)).toBe(302);
    expect(seen).toEqual(['/redirect']);
  });
});

describe('handshakeTools()', () => {
  it("reads the route's secret values", async () => {
    const tools = handshakeTools(
      OPTIONS,
      resolverOf(async () => ['a', 'b']),
      fetchStatus,
    );

    expect(await tools.secrets()).toEqual(['a', 'b']);
  });

  it('sees a secret that holds no value yet as empty', async () => {
    const tools = handshakeTools(
      OPTIONS,
      resolverOf(async () => {
        throw new SecretNotSetError('no value');
      }),
      fetchStatus,
    );

    expect(await tools.secrets()).toEqual([]);
    expect(await tools.resolveSecret({ name: 'OTHER' })).toEqual([]);
  });

  it('answers 503 secret_unavailable when the secret cannot be read', async () => {
    const tools = handshakeTools(
      OPTIONS,
      resolverOf(async () => {
        throw new Error('throttled');
      }),
      fetchStatus,
    );

    await expect(tools.secrets()).rejects.toMatchObject({ status: 503, code: 'secret_unavailable' });
    await expect(tools.resolveSecret({ name: 'OTHER' })).rejects.toBeInstanceOf(HttpError);
  });

  it("stores a value as the route's secret", async () => {
    const stored: [string, string][] = [];
    const tools = handshakeTools(
      OPTIONS,
      resolverOf(
        async () => [],
        async (reference, value) => {
          stored.push([reference.name, value]);
        },
      ),
      fetchStatus,
    );

    await tools.storeSecret('s3cret');

    expect(stored).toEqual([['ROUTE_SECRET', 's3cret']]);
  });

  it('refuses to store where the resolver cannot write', async () => {
    const tools = handshakeTools(
      OPTIONS,
      resolverOf(async () => []),
      fetchStatus,
    );

    await expect(tools.storeSecret('s3cret')).rejects.toThrow(/cannot write/);
  });

  it('has no secret for a scheme without one', async () => {
    const tools = handshakeTools(
      { scheme: 'none' },
      resolverOf(async () => ['unused']),
      fetchStatus,
    );

    expect(await tools.secrets()).toEqual([]);
  });
});
