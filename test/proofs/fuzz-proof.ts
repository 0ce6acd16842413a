/**
 * The fuzz proof: for every scheme, generated forged, tampered, replayed, truncated, mis-encoded and
 * oversized requests (fast-check, shrinking to the smallest failing one) through the real ingress
 * handler, backed by DynamoDB Local and the SQS emulator: none may be accepted, answered 5xx, crash
 * the handler or get another error code than the documented one. And the converse: every request
 * the provider's own signer (or, where no offline signer exists, node:crypto) signs is accepted.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import type { ResolvedRoute } from '../../shared/config/types.js';
import { EventStore } from '../../shared/event-store/event-store.js';
import { createIngress } from '../../shared/ingress/ingress.js';
import { sqsQueueSender } from '../../shared/ingress/sqs-sender.js';
import { createRouteQueues } from '../../shared/local/create-queues.js';
import { createEventTable } from '../../shared/local/create-table.js';
import { queueSettings } from '../../shared/resources.js';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { testEnvelopeKeys } from '../helpers/envelope-keys.js';
import { gatewayEvent } from '../helpers/ingress-steps.js';
import { makeRoute } from '../helpers/routes.js';
import { githubHeaders, standardWebhooksHeaders, stripeHeaders } from '../helpers/signers.js';

const MAX_BODY_BYTES = 4096;
const SECRET = 'fuzz-secret-0123456789abcdef';
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** The contract: the proof's last line. */
export interface FuzzReport {
  readonly schemes: number;
  readonly requests: number;
  readonly accepted: number;
  readonly serverErrors: number;
  readonly crashes: number;
  readonly wrongCodes: number;
}

/** What the converse property found, per scheme. */
export interface SignedReport {
  readonly scheme: string;
  readonly signed: number;
  readonly refused: number;
}

type Headers = Record<string, string>;

/** How a scheme signs, and which header carries what a forger would change. */
interface Scheme {
  readonly name: string;
  readonly route: ResolvedRoute;
  /** Headers of `body` signed now (or at `at`), as the provider sends them. */
  sign(body: string, at?: Date): Promise<Headers>;
  /** The header holding the signature (or token). */
  readonly signatureHeader: string;
  /** Whether a signature older than the tolerance is refused (false: a resend is a duplicate). */
  readonly timestamped: boolean;
  /** Whether the body is signed (a JWT signs only its claims). */
  readonly signsBody: boolean;
}

const hmacHex = (algorithm: string, secret: string, text: string) =>
  createHmac(algorithm, secret).update(text).digest('hex');
const hmacBase64 = (algorithm: string, secret: string, text: string) =>
  createHmac(algorithm, secret).update(text).digest('base64');
const seconds = (at: Date) => String(Math.floor(at.getTime() / 1000));
const json = { 'content-type': 'application/json' };

function route(name: string, verify: ResolvedRoute['verify']): ResolvedRoute {
  return makeRoute({
    path: `/fuzz/${name}/`,
    verify,
    maxBodyBytes: MAX_BODY_BYTES,
    expectJson: false,
    dedupe: { source: 'scheme', windowSeconds: 3600 },
  });
}

const secretRef = { name: 'FUZZ_SECRET' };

export const SCHEMES: readonly Scheme[] = [
  {
    name: 'github',
    route: route('github', { scheme: 'github', secret: secretRef }),
    sign: (body) => githubHeaders(SECRET, body, randomUUID()),
    signatureHeader: 'x-hub-signature-256',
    timestamped: false,
    signsBody: true,
  },
  {
    name: 'stripe',
    route: route('stripe', { scheme: 'stripe', secret: { name: 'FUZZ_WHSEC' } }),
    sign: async (body, at = new Date()) => stripeHeaders(WHSEC, body, Number(seconds(at))),
    signatureHeader: 'stripe-signature',
    timestamped: true,
    signsBody: true,
  },
  {
    name: 'standardWebhooks',
    route: route('standard', { scheme: 'standardWebhooks', secret: { name: 'FUZZ_WHSEC' } }),
    sign: async (body, at = new Date()) => standardWebhooksHeaders(WHSEC, body, `msg_${randomUUID()}`, at),
    signatureHeader: 'webhook-signature',
    timestamped: true,
    signsBody: true,
  },
  {
    name: 'slack',
    route: route('slack', { scheme: 'slack', secret: secretRef }),
    sign: async (body, at = new Date()) => ({
      ...json,
      'x-slack-request-timestamp': seconds(at),
      'x-slack-signature': `v0=${hmacHex('sha256', SECRET, `v0:${seconds(at)}:${body}`)}`,
    }),
    signatureHeader: 'x-slack-signature',
    timestamped: true,
    signsBody: true,
  },
  {
    name: 'shopify',
    route: route('shopify', { scheme: 'shopify', secret: secretRef }),
    sign: async (body) => ({
      ...json,
      'x-shopify-webhook-id': randomUUID(),
      'x-shopify-hmac-sha256': hmacBase64('sha256', SECRET, body),
    }),
    signatureHeader: 'x-shopify-hmac-sha256',
    timestamped: false,
    signsBody: true,
  },
  {
    name: 'hmac',
    route: route('hmac', {
      scheme: 'hmac',
      secret: secretRef,
      header: 'x-signature',
      prefix: 'sha256=',
      timestampHeader: 'x-timestamp',
    }),
    sign: async (body, at = new Date()) => ({
      ...json,
      'x-timestamp': seconds(at),
      'x-signature': `sha256=${hmacHex('sha256', SECRET, `${seconds(at)}.${body}`)}`,
    }),
    signatureHeader: 'x-signature',
    timestamped: true,
    signsBody: true,
  },
  {
    name: 'jwt',
    route: route('jwt', { scheme: 'jwt', secret: secretRef }),
    sign: async (_body, at = new Date()) => {
      const iat = Math.floor(at.getTime() / 1000);
      const token = await new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60)
        .sign(new TextEncoder().encode(SECRET));
      return { ...json, authorization: `Bearer ${token}` };
    },
    signatureHeader: 'authorization',
    timestamped: true,
    signsBody: false,
  },
];

/** A request and the answer it must get. */
interface Attack {
  readonly kind: string;
  readonly body: string;
  readonly headers: Headers;
  readonly status: number;
  readonly code: string;
}

type Mutation = (scheme: Scheme, body: string) => fc.Arbitrary<Promise<Attack | undefined>>;

const refused = (kind: string, body: string, headers: Headers): Attack => ({
  kind,
  body,
  headers,
  status: 401,
  code: 'invalid_signature',
});

/** The mutations, each an arbitrary over how it mangles a signed request. */
const MUTATIONS: Readonly<Record<string, Mutation>> = {
  forged: (scheme, body) =>
    fc.string({ maxLength: 200 }).map(async (value) => {
      const headers = await scheme.sign(body);
      return refused('forged', body, { ...headers, [scheme.signatureHeader]: value });
    }),
  lifted: (scheme, body) =>
    fc.string({ minLength: 1, maxLength: 50 }).map(async (other) => {
      // A genuine signature, of another body: what an attacker who saw one delivery has.
      if (!scheme.signsBody || other === body) return undefined;
      const headers = await scheme.sign(body);
      const theirs = await scheme.sign(other);
      return refused('lifted', body, {
        ...headers,
        [scheme.signatureHeader]: theirs[scheme.signatureHeader] ?? '',
      });
    }),
  tampered: (scheme, body) =>
    fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 8 })).map(async ([position, inserted]) => {
      if (!scheme.signsBody) return undefined;
      const headers = await scheme.sign(body);
      const at = position % (body.length + 1);
      const changed = body.slice(0, at) + inserted + body.slice(at + 1);
      return changed === body ? undefined : refused('tampered', changed, headers);
    }),
  replayed: (scheme, body) =>
    fc.integer({ min: 3_600, max: 10 * 86_400 }).map(async (ageSeconds) => {
      if (!scheme.timestamped) return undefined;
      const headers = await scheme.sign(body, new Date(Date.now() - ageSeconds * 1000));
      return refused('replayed', body, headers);
    }),
  truncated: (scheme, body) =>
    fc.nat().map(async (cut) => {
      const headers = await scheme.sign(body);
      const value = headers[scheme.signatureHeader] ?? '';
      const shortened = value.slice(0, cut % Math.max(1, value.length));
      return unpadded(shortened) === unpadded(value)
        ? undefined
        : refused('truncated', body, { ...headers, [scheme.signatureHeader]: shortened });
    }),
  misEncoded: (scheme, body) =>
    fc.constantFrom('base64', 'hex', 'base64url').map(async (encoding) => {
      const headers = await scheme.sign(body);
      const value = headers[scheme.signatureHeader] ?? '';
      const reencoded = reencode(value, encoding as BufferEncoding);
      return unpadded(reencoded) === unpadded(value)
        ? undefined
        : refused('misEncoded', body, { ...headers, [scheme.signatureHeader]: reencoded });
    }),
  oversized: (scheme) =>
    fc.integer({ min: MAX_BODY_BYTES + 1, max: MAX_BODY_BYTES * 4 }).map(async (size) => {
      const body = 'x'.repeat(size);
      return {
        kind: 'oversized',
        body,
        headers: await scheme.sign(body),
        status: 413,
        code: 'body_too_large',
      };
    }),
};

/**
 * The text without base64 padding. Cutting only the padding off, or a base64url re-encoding with no
 * `-` or `_`, leaves the same signature bytes, which verifiers decoding base64 leniently accept (the
 * standardWebhooks verifier takes padding as optional): no forgery, so no such request is generated.
 */
const unpadded = (text: string) => text.replace(/=/g, '');

/** The signature's text in another encoding: what a sender confusing hex and base64 would send. */
function reencode(value: string, encoding: BufferEncoding): string {
  return value.replace(/[A-Za-z0-9+/=_-]{20,}/g, (run) => {
    const bytes = /^[0-9a-f]+$/.test(run) ? Buffer.from(run, 'hex') : Buffer.from(run, 'base64');
    return bytes.toString(encoding);
  });
}

export interface FuzzOptions {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  /** Generated requests per scheme (spread over the mutations). */
  readonly perScheme: number;
  /** Provider-signed requests per scheme for the converse property. */
  readonly signedPerScheme: number;
  readonly seed?: number;
  /** A unique prefix for the table and queues. */
  readonly prefix: string;
}

/** Runs the proof; `failures` holds the shrunk counterexamples (empty when it holds). */
export async function runFuzzProof(
  options: FuzzOptions,
): Promise<{ report: FuzzReport; signed: SignedReport[]; failures: string[] }> {
  const tableName = `${options.prefix}-events`;
  await createEventTable(options.dynamodb, tableName);
  const targets = await Promise.all(
    SCHEMES.map(async (scheme) => ({
      route: scheme.route,
      queueUrl: (await createRouteQueues(options.sqs, queueSettings(scheme.route, options.prefix))).queueUrl,
    })),
  );
  const ingress = createIngress({
    targets,
    store: new EventStore({ client: options.dynamodb, tableName }),
    queue: sqsQueueSender(options.sqs),
    secrets: new EnvSecretResolver({ env: { FUZZ_SECRET: SECRET, FUZZ_WHSEC: WHSEC } }),
    envelopeKeys: testEnvelopeKeys,
  });
  const counts = { requests: 0, accepted: 0, serverErrors: 0, crashes: 0, wrongCodes: 0 };
  const failures: string[] = [];
  const mutations = Object.entries(MUTATIONS);
  const runsPerMutation = Math.max(1, Math.ceil(options.perScheme / mutations.length));

  for (const scheme of SCHEMES) {
    for (const [name, mutation] of mutations) {
      const attacks = fc.string({ minLength: 1, maxLength: 300 }).chain((body) => mutation(scheme, body));
      // The last failing request: after shrinking, the smallest one.
      let smallest = '';
      const result = await fc.check(
        fc.asyncProperty(attacks, async (pending) => {
          const attack = await pending;
          if (attack === undefined) return true;
          counts.requests += 1;
          const reply = await answer(ingress, scheme, attack);
          const verdict = judge(attack, reply);
          for (const key of verdict) counts[key] += 1;
          if (verdict.length > 0) smallest = describe(attack, reply);
          return verdict.length === 0;
        }),
        { numRuns: runsPerMutation, ...(options.seed !== undefined && { seed: options.seed }) },
      );
      if (result.failed) failures.push(`${scheme.name} ${name}: ${smallest}`);
    }
  }
  const signed = await checkSigned(ingress, options.signedPerScheme, options.seed);
  for (const entry of signed) {
    if (entry.refused > 0)
      failures.push(`${entry.scheme}: ${entry.refused} provider-signed requests refused`);
  }
  return { report: { schemes: SCHEMES.length, ...counts }, signed, failures };
}

type Verdict = ('accepted' | 'serverErrors' | 'crashes' | 'wrongCodes')[];

function judge(attack: Attack, reply: APIGatewayProxyStructuredResultV2 | Error): Verdict {
  if (reply instanceof Error) return ['crashes'];
  const status = reply.statusCode ?? 0;
  if (status >= 500) return ['serverErrors'];
  if (status >= 200 && status < 300) return ['accepted'];
  const code = (JSON.parse(String(reply.body ?? '{}')) as { error?: { code?: string } }).error?.code;
  return status === attack.status && code === attack.code ? [] : ['wrongCodes'];
}

function describe(attack: Attack, reply: APIGatewayProxyStructuredResultV2 | Error): string {
  const got = reply instanceof Error ? `threw ${reply.message}` : `${reply.statusCode} ${reply.body}`;
  const sent = JSON.stringify({ body: attack.body.slice(0, 80), headers: attack.headers });
  return `expected ${attack.status} ${attack.code}, got ${got}; sent ${sent}`;
}

async function answer(
  ingress: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>,
  scheme: Scheme,
  request: Pick<Attack, 'body' | 'headers'>,
): Promise<APIGatewayProxyStructuredResultV2 | Error> {
  try {
    return await ingress(gatewayEvent(scheme.route.path, request.body, request.headers));
  } catch (error: unknown) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** The converse: bodies the provider's signer signs are accepted (202). */
async function checkSigned(
  ingress: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>,
  perScheme: number,
  seed: number | undefined,
): Promise<SignedReport[]> {
  const reports: SignedReport[] = [];
  for (const scheme of SCHEMES) {
    let signed = 0;
    let refusedCount = 0;
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: MAX_BODY_BYTES / 4 }), async (body) => {
        signed += 1;
        // Unique, so that no body is a duplicate of an earlier one.
        const unique = `${body}#${signed}`;
        const reply = await answer(ingress, scheme, { body: unique, headers: await scheme.sign(unique) });
        if (reply instanceof Error || reply.statusCode !== 202) refusedCount += 1;
      }),
      { numRuns: perScheme, ...(seed !== undefined && { seed }) },
    );
    reports.push({ scheme: scheme.name, signed, refused: refusedCount });
  }
  return reports;
}
