/**
 * Warm per-request CPU cost of the ingress apart from AWS calls: verify the signature, then build
 * and serialize the queue envelope, next to a bare HMAC-SHA256 over the same bytes.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { VerifyConfig } from '../../shared/config/types.js';
import { encodeBody, serializeEnvelope, storableHeaders, toEnvelope } from '../../shared/envelope.js';
import type { NewEventRecord } from '../../shared/event-store/types.js';
import { verifyRequest } from '../../shared/verify/index.js';
import type { VerificationSuccess } from '../../shared/verify/types.js';
import type { BenchSection } from './run.js';
import { fixed, formatTable, summarize, verdict } from './stats.js';

const WARMUP_ITERATIONS = 2_000;
const NOW = new Date('2026-01-15T12:00:00.000Z');
const ROUTE = '/order/status/';

interface Case {
  readonly label: string;
  readonly scheme: 'github' | 'standardWebhooks';
  readonly bodyBytes: number;
  /** Only ASCII in the body (the default body has a few non-ASCII characters, as real payloads do). */
  readonly ascii?: boolean;
  /** Iterations measured after warm-up, timed in samples of `batch` calls. */
  readonly iterations: number;
  readonly batch: number;
  /** Target for the verify+envelope median, µs per request; none on diagnostic rows. */
  readonly targetUs?: number;
}

const KIB = 1024;
const SMALL = { bodyBytes: KIB, iterations: 20_000, batch: 100 } as const;
const LARGE = { bodyBytes: 100 * KIB, iterations: 4_000, batch: 20 } as const;

const CASES: readonly Case[] = [
  { label: 'github, 1 KiB', scheme: 'github', ...SMALL, targetUs: 50 },
  { label: 'github, 100 KiB', scheme: 'github', ...LARGE, targetUs: 500 },
  { label: 'github, 100 KiB ASCII-only', scheme: 'github', ...LARGE, ascii: true },
  { label: 'standardWebhooks v1, 1 KiB', scheme: 'standardWebhooks', ...SMALL },
  { label: 'standardWebhooks v1, 100 KiB', scheme: 'standardWebhooks', ...LARGE },
];

/**
 * A JSON object of exactly `bytes` UTF-8 bytes that looks like a webhook payload: a few non-ASCII
 * characters near the start (names, emoji) unless `ascii`, then ASCII padding.
 */
export function jsonBody(bytes: number, ascii = false): Uint8Array {
  const note = ascii ? 'Fusse' : 'Füße 🚚';
  const head = `{"action":"completed","order":{"id":"ord_8412","status":"shipped","note":"${note}"},"padding":"`;
  const tail = '"}';
  const fill = bytes - Buffer.byteLength(head) - Buffer.byteLength(tail);
  if (fill < 0) throw new RangeError(`a body needs at least ${bytes - fill} bytes`);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ';
  let padding = '';
  for (let i = 0; i < fill; i++) padding += alphabet[(i * 7919) % alphabet.length];
  const body = Buffer.from(head + padding + tail, 'utf8');
  JSON.parse(body.toString('utf8'));
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}

interface SignedRequest {
  readonly body: Uint8Array;
  readonly headers: Record<string, string>;
  readonly secrets: readonly string[];
  readonly config: VerifyConfig;
  /** The key of the bare HMAC baseline. */
  readonly hmacKey: Buffer;
}

/** A request signed with node:crypto directly, so the bench never signs with the code it measures. */
function signedRequest(scheme: Case['scheme'], body: Uint8Array): SignedRequest {
  const common = {
    'content-type': 'application/json',
    'user-agent': 'Hookline-Bench/1.0',
    'content-length': String(body.byteLength),
  };
  if (scheme === 'github') {
    const secret = 'bench-github-secret-0123456789abcdef';
    const signature = createHmac('sha256', secret).update(body).digest('hex');
    return {
      body,
      headers: {
        ...common,
        'x-github-event': 'push',
        'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
        'x-hub-signature-256': `sha256=${signature}`,
      },
      secrets: [secret],
      config: { scheme: 'github', secret: { name: 'X' } },
      hmacKey: Buffer.from(secret, 'utf8'),
    };
  }
  const key = randomBytes(24);
  const id = 'msg_2mQ9Ru0bQ2wYxHkFbL5XcY3kZzA';
  const timestamp = String(Math.floor(NOW.getTime() / 1000));
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return {
    body,
    headers: {
      ...common,
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${signature}`,
    },
    secrets: [`whsec_${key.toString('base64')}`],
    config: { scheme: 'standardWebhooks', secret: { name: 'X' } },
    hmacKey: key,
  };
}

async function verify(request: SignedRequest): Promise<VerificationSuccess> {
  const result = await verifyRequest(
    { body: request.body, headers: request.headers, secrets: request.secrets, now: NOW },
    request.config,
  );
  if (!result.ok) throw new Error(`bench request failed verification: ${result.reason} (${result.detail})`);
  return result;
}

/** The record the ingress writes (as `newRecord` builds it), then its queue envelope, serialized. */
function envelope(request: SignedRequest, result: VerificationSuccess): string {
  const receivedAt = NOW.toISOString();
  const record: NewEventRecord = {
    id: '01JHBENCH0000000000000000',
    route: ROUTE,
    queueName: 'order_status',
    receivedAt,
    method: 'POST',
    path: ROUTE,
    query: '',
    headers: storableHeaders(request.headers),
    contentType: 'application/json',
    ...encodeBody(request.body),
    sourceIp: '192.0.2.10',
    verification: {
      scheme: result.scheme,
      verifiedAt: receivedAt,
      ...(result.keyId !== undefined && { keyId: result.keyId }),
      ...(result.signedAt !== undefined && { signedAt: result.signedAt }),
    },
    expiresAt: Math.floor(NOW.getTime() / 1000) + 30 * 86_400,
  };
  return serializeEnvelope(toEnvelope(record));
}

/** What the ingress does per request apart from AWS calls. */
async function verifyAndEnvelope(request: SignedRequest): Promise<string> {
  return envelope(request, await verify(request));
}

function bareHmac(request: SignedRequest): Buffer {
  return createHmac('sha256', request.hmacKey).update(request.body).digest();
}

/** Keeps results observable so the work cannot be optimized away. */
let sink = 0;

/** µs per call, one sample per `batch` calls. */
async function measure(
  call: () => unknown,
  iterations: number,
  batch: number,
): Promise<ReturnType<typeof summarize>> {
  for (let i = 0; i < WARMUP_ITERATIONS; i++) sink ^= consume(await call());
  const samples: number[] = [];
  for (let done = 0; done < iterations; done += batch) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) sink ^= consume(await call());
    samples.push(Number(process.hrtime.bigint() - start) / 1000 / batch);
  }
  return summarize(samples);
}

function consume(value: unknown): number {
  if (typeof value === 'string' || Buffer.isBuffer(value)) return value.length & 1;
  return 0;
}

export const verifySection: BenchSection = {
  title: 'warm verify + envelope per request (in this process)',
  async run(print) {
    print(
      'verify+env per call: verifyRequest() + the NewEventRecord (storableHeaders, encodeBody) + ' +
        'serializeEnvelope(toEnvelope()); HMAC: createHmac(sha256).update(body).digest()',
    );
    print(
      `${WARMUP_ITERATIONS} warm-up calls per column, then samples of N calls; figures are µs per call ` +
        '(verify and envelope alone are measured separately, as a breakdown)',
    );
    const rows: string[][] = [
      [
        'case',
        'samples×N',
        'HMAC med',
        'HMAC p99',
        'verify med',
        'envelope med',
        'verify+env med',
        'verify+env p99',
        '×HMAC',
        'target',
        '<check',
      ],
    ];
    for (const testCase of CASES) {
      const request = signedRequest(testCase.scheme, jsonBody(testCase.bodyBytes, testCase.ascii));
      const verified = await verify(request);
      const { iterations, batch } = testCase;
      const hmac = await measure(() => bareHmac(request), iterations, batch);
      const verifyOnly = await measure(() => verify(request), iterations, batch);
      const envelopeOnly = await measure(() => envelope(request, verified), iterations, batch);
      const full = await measure(() => verifyAndEnvelope(request), iterations, batch);
      const target = testCase.targetUs;
      rows.push([
        testCase.label,
        `${iterations / batch}×${batch}`,
        `${fixed(hmac.median)} µs`,
        `${fixed(hmac.p99)} µs`,
        `${fixed(verifyOnly.median)} µs`,
        `${fixed(envelopeOnly.median)} µs`,
        `${fixed(full.median)} µs`,
        `${fixed(full.p99)} µs`,
        `${fixed(full.median / hmac.median, 2)}×`,
        target === undefined ? '—' : `≤ ${target} µs`,
        target === undefined ? '(diagnostic)' : verdict(full.median, target),
      ]);
    }
    for (const line of formatTable(rows)) print(line);
    print(
      'the figures: verify+env median of the two github rows with a target; the other rows are diagnostics',
    );
    if (sink === -1) print('');
  },
};
