/**
 * The fuzz proof: for every scheme but `none` (which accepts everything by design), generated
 * forged, lifted, tampered, replayed, truncated, mis-encoded and oversized requests (fast-check,
 * shrinking to the smallest failing one) through the real ingress handler, backed by DynamoDB Local
 * and the SQS emulator: none may be accepted, answered 5xx, crash the handler or get another error
 * code than the documented one. And the converse: every request the provider's signer signs is
 * accepted.
 *
 * The signers (./fuzz-schemes.ts): the seven original schemes keep the providers' own SDKs
 * (test/helpers/signers.ts) or their documented rule (node:crypto HMAC, jose). The others use the
 * scheme's own `sign`, which each scheme's unit test (test/unit/verify/<scheme>.test.ts) checks
 * against the provider's SDK or documented rule. Discord, SendGrid and SNS, whose `sign` cannot
 * (a public key, AWS's certificate), are signed with keys generated here with node:crypto and
 * `selfsigned`, as their unit tests do; SNS's certificate URL is answered by a `fetch` stub.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { EventStore } from '../../shared/event-store/event-store.js';
import { createIngress, type IngressHandler } from '../../shared/ingress/ingress.js';
import { sqsQueueSender } from '../../shared/ingress/sqs-sender.js';
import { createRouteQueues } from '../../shared/local/create-queues.js';
import { createEventTable } from '../../shared/local/create-table.js';
import { queueSettings } from '../../shared/resources.js';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { testEnvelopeKeys } from '../helpers/envelope-keys.js';
import { gatewayEvent } from '../helpers/ingress-steps.js';
import {
  type Delivery,
  fuzzSchemes,
  generateProviderKeys,
  MAX_BODY_BYTES,
  PUBLIC_ORIGIN,
  type Scheme,
  withSnsCertificate,
} from './fuzz-schemes.js';

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

/** A request and the answer it must get. */
interface Attack {
  readonly kind: string;
  readonly delivery: Delivery;
  readonly status: number;
  readonly code: string;
}

type Mutation = (scheme: Scheme, content: string) => fc.Arbitrary<Promise<Attack | undefined>>;

const refused = (kind: string, delivery: Delivery): Attack => ({
  kind,
  delivery,
  status: 401,
  code: 'invalid_signature',
});

const TEN_DAYS_SECONDS = 10 * 86_400;

/** The mutations, each an arbitrary over how it mangles a signed request. */
const MUTATIONS: Readonly<Record<string, Mutation>> = {
  forged: (scheme, content) =>
    fc.string({ maxLength: 200 }).map(async (value) => {
      return refused('forged', scheme.signature.write(await scheme.sign(content), value));
    }),
  lifted: (scheme, content) =>
    fc.string({ minLength: 1, maxLength: 50 }).map(async (other) => {
      // A genuine signature, of another body: what an attacker who saw one delivery has.
      if (scheme.signedParts.length === 0 || other === content) return undefined;
      const theirs = scheme.signature.read(await scheme.sign(other));
      return refused('lifted', scheme.signature.write(await scheme.sign(content), theirs));
    }),
  tampered: (scheme, content) =>
    fc
      .tuple(fc.nat(), fc.nat(), fc.string({ minLength: 1, maxLength: 8 }))
      .map(async ([part, position, inserted]) => {
        const place = scheme.signedParts[part % Math.max(1, scheme.signedParts.length)];
        if (place === undefined) return undefined;
        const signed = await scheme.sign(content);
        const text = place.read(signed);
        const at = position % (text.length + 1);
        const changed = text.slice(0, at) + inserted + text.slice(at + 1);
        return changed === text ? undefined : refused('tampered', place.write(signed, changed));
      }),
  replayed: (scheme, content) =>
    // Older than the scheme's window, up to ten days.
    fc.integer({ min: (scheme.toleranceSeconds ?? 0) + 1, max: TEN_DAYS_SECONDS }).map(async (ageSeconds) => {
      if (scheme.toleranceSeconds === undefined) return undefined;
      return refused('replayed', await scheme.sign(content, new Date(Date.now() - ageSeconds * 1000)));
    }),
  truncated: (scheme, content) =>
    fc.nat().map(async (cut) => {
      const signed = await scheme.sign(content);
      const value = scheme.signature.read(signed);
      const shortened = value.slice(0, cut % Math.max(1, value.length));
      return unpadded(shortened) === unpadded(value)
        ? undefined
        : refused('truncated', scheme.signature.write(signed, shortened));
    }),
  misEncoded: (scheme, content) =>
    fc.constantFrom('base64', 'hex', 'base64url').map(async (encoding) => {
      const signed = await scheme.sign(content);
      const value = scheme.signature.read(signed);
      const reencoded = reencode(value, encoding as BufferEncoding);
      return unpadded(reencoded) === unpadded(value)
        ? undefined
        : refused('misEncoded', scheme.signature.write(signed, reencoded));
    }),
  oversized: (scheme) =>
    fc.integer({ min: MAX_BODY_BYTES + 1, max: MAX_BODY_BYTES * 4 }).map(async (size) => ({
      kind: 'oversized',
      delivery: await scheme.sign('x'.repeat(size)),
      status: 413,
      code: 'body_too_large',
    })),
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
  const keys = await generateProviderKeys();
  const { schemes, secrets } = fuzzSchemes(keys);
  const tableName = `${options.prefix}-events`;
  await createEventTable(options.dynamodb, tableName);
  const targets = await Promise.all(
    schemes.map(async ({ route }) => ({
      route,
      queueUrl: (await createRouteQueues(options.sqs, queueSettings(route, options.prefix))).queueUrl,
    })),
  );
  const ingress = createIngress({
    targets,
    store: new EventStore({ client: options.dynamodb, tableName }),
    queue: sqsQueueSender(options.sqs),
    secrets: new EnvSecretResolver({ env: secrets }),
    envelopeKeys: testEnvelopeKeys,
    publicUrl: PUBLIC_ORIGIN,
  });
  return withSnsCertificate(keys, async () => {
    const { counts, failures } = await attack(ingress, schemes, options);
    const signed = await checkSigned(ingress, schemes, options.signedPerScheme, options.seed);
    for (const entry of signed) {
      if (entry.refused > 0)
        failures.push(`${entry.scheme}: ${entry.refused} provider-signed requests refused`);
    }
    return { report: { schemes: schemes.length, ...counts }, signed, failures };
  });
}

/** Every mutation of every scheme, `perScheme` requests per scheme in all. */
async function attack(ingress: IngressHandler, schemes: readonly Scheme[], options: FuzzOptions) {
  const counts = { requests: 0, accepted: 0, serverErrors: 0, crashes: 0, wrongCodes: 0 };
  const failures: string[] = [];
  const mutations = Object.entries(MUTATIONS);
  const runsPerMutation = Math.max(1, Math.ceil(options.perScheme / mutations.length));

  for (const scheme of schemes) {
    for (const [name, mutation] of mutations) {
      const attacks = fc
        .string({ minLength: 1, maxLength: 300 })
        .chain((content) => mutation(scheme, content));
      // The last failing request: after shrinking, the smallest one.
      let smallest = '';
      const result = await fc.check(
        fc.asyncProperty(attacks, async (pending) => {
          const attack = await pending;
          if (attack === undefined) return true;
          counts.requests += 1;
          const reply = await answer(ingress, scheme, attack.delivery);
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
  return { counts, failures };
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
  const { body, headers } = attack.delivery;
  const sent = JSON.stringify({ body: body.slice(0, 400), headers });
  return `expected ${attack.status} ${attack.code}, got ${got}; sent ${sent}`;
}

async function answer(
  ingress: IngressHandler,
  scheme: Scheme,
  delivery: Delivery,
): Promise<APIGatewayProxyStructuredResultV2 | Error> {
  try {
    return await ingress(gatewayEvent(scheme.route.path, delivery.body, delivery.headers));
  } catch (error: unknown) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** The converse: bodies the provider's signer signs are accepted (202). */
async function checkSigned(
  ingress: IngressHandler,
  schemes: readonly Scheme[],
  perScheme: number,
  seed: number | undefined,
): Promise<SignedReport[]> {
  const reports: SignedReport[] = [];
  for (const scheme of schemes) {
    let signed = 0;
    let refusedCount = 0;
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: MAX_BODY_BYTES / 4 }), async (content) => {
        signed += 1;
        // Unique, so that no body is a duplicate of an earlier one.
        const reply = await answer(ingress, scheme, await scheme.sign(`${content}#${signed}`));
        if (reply instanceof Error || reply.statusCode !== 202) refusedCount += 1;
      }),
      { numRuns: perScheme, ...(seed !== undefined && { seed }) },
    );
    reports.push({ scheme: scheme.name, signed, refused: refusedCount });
  }
  return reports;
}
