/**
 * Where the envelope keys come from. Deployed: the secret named by HOOKLINE_ENVELOPE_KEY_ARN, read by
 * the real SDK from an HTTP server answering GetSecretValue as Secrets Manager does (the recorded
 * response shape of test/fixtures/aws/get-secret-value.json; Secrets Manager cannot run here).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EnvSecretResolver } from '../../../shared/secrets/env-resolver.js';
import {
  deployedEnvelopeKeys,
  LOCAL_ENVELOPE_KEY,
  localEnvelopeKeys,
} from '../../../shared/secrets/envelope-keys.js';
import { SecretUnavailableError } from '../../../shared/secrets/resolver.js';

const KEY_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hookline-envelope-key-Xk4c9Q';
const RECORDED = JSON.parse(
  readFileSync(new URL('../../fixtures/aws/get-secret-value.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

let server: Server;
let endpoint: string;
const requests: { target: string | undefined; secretId: unknown }[] = [];
let secretString = '["key-new","key-old"]';

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: unknown };
      requests.push({
        target: request.headers['x-amz-target'] as string | undefined,
        secretId: body.SecretId,
      });
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ ...RECORDED, ARN: KEY_ARN, SecretString: secretString }));
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((closed) => server?.close(closed));
});

function useFakeSecretsManager(): void {
  vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', endpoint);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example-secret');
}

describe('deployedEnvelopeKeys()', () => {
  it('reads every key of the secret HOOKLINE_ENVELOPE_KEY_ARN names, and caches them', async () => {
    useFakeSecretsManager();
    requests.length = 0;
    const keys = deployedEnvelopeKeys({ HOOKLINE_ENVELOPE_KEY_ARN: KEY_ARN });

    expect(await keys()).toEqual(['key-new', 'key-old']);
    secretString = 'key-rotated';
    expect(await keys()).toEqual(['key-new', 'key-old']);
    expect(requests).toEqual([{ target: 'secretsmanager.GetSecretValue', secretId: KEY_ARN }]);
  });

  it('refetches once HOOKLINE_SECRET_TTL_SECONDS has passed', async () => {
    useFakeSecretsManager();
    secretString = 'key-a';
    const keys = deployedEnvelopeKeys({
      HOOKLINE_ENVELOPE_KEY_ARN: KEY_ARN,
      HOOKLINE_SECRET_TTL_SECONDS: '0',
    });

    expect(await keys()).toEqual(['key-a']);
    secretString = 'key-b';
    expect(await keys()).toEqual(['key-b']);
  });

  it('takes HOOKLINE_ENVELOPE_KEY itself when no ARN is set', async () => {
    expect(await deployedEnvelopeKeys({ HOOKLINE_ENVELOPE_KEY: '["one","two"]' })()).toEqual(['one', 'two']);
  });

  it('refuses to start without either, naming both variables', () => {
    expect(() => deployedEnvelopeKeys({})).toThrow(SecretUnavailableError);
    expect(() => deployedEnvelopeKeys({ HOOKLINE_ENVELOPE_KEY_ARN: '', HOOKLINE_ENVELOPE_KEY: '' })).toThrow(
      /set HOOKLINE_ENVELOPE_KEY_ARN .*or HOOKLINE_ENVELOPE_KEY/,
    );
  });
});

describe('localEnvelopeKeys()', () => {
  it('uses HOOKLINE_ENVELOPE_KEY when the environment sets it, else the development key', async () => {
    const set = localEnvelopeKeys(new EnvSecretResolver({ env: { HOOKLINE_ENVELOPE_KEY: 'mine' } }));
    const unset = localEnvelopeKeys(new EnvSecretResolver({ env: {} }));

    expect(await set()).toEqual(['mine']);
    expect(await unset()).toEqual([LOCAL_ENVELOPE_KEY]);
  });
});
