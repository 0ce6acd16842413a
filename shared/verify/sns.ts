import type { KeyObject } from 'node:crypto';
import { decodeStrictBase64 } from './encoding.js';
import { handshakeRefused, jsonAnswer } from './handshake-answers.js';
import { isJsonObject, stringAt } from './payload.js';
import { signatureVerifies } from './public-key.js';
import {
  CannotSignError,
  type HandshakeOutcome,
  type HandshakeRefusal,
  type HandshakeRequest,
  type HandshakeTools,
  type SchemeConfig,
  type SchemeDefinition,
} from './scheme.js';
import {
  CertificateUnavailableError,
  certificateKey,
  type FetchCertificate,
  signingCertificateUrl,
  snsUrl,
} from './sns-certificates.js';
import { checkTimestamp, type TimestampCheck } from './timestamp.js';
import {
  failureOf,
  type VerificationFailure,
  type VerificationInput,
  type VerificationResult,
} from './types.js';

/**
 * Amazon SNS HTTP/S subscriptions. There is no signature header: the JSON body carries
 * `Signature` (base64 RSA), `SignatureVersion` (1 = SHA1withRSA, 2 = SHA256withRSA) and
 * `SigningCertURL`, and the signed string is `"{Key}\n{Value}\n"` for each signed key present, in
 * a fixed order. SNS posts with `content-type: text/plain`, so the body is parsed here.
 */

export interface SnsVerifyDeps {
  /**
   * Downloads a signing certificate (PEM) from an already checked `SigningCertURL`. Defaults to an
   * https GET with a 3 s timeout and no redirects. Certificates are cached per fetcher and URL.
   */
  readonly fetchCertificate?: FetchCertificate;
}

type MessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
type SnsMessage = Readonly<Record<string, unknown>>;

/**
 * Signed keys, in signing order, as AWS documents them. `Subject` only appears in notifications,
 * but is signed wherever present (as `sns-validator` does).
 */
const CONFIRMATION_KEYS = [
  'Message',
  'MessageId',
  'Subject',
  'SubscribeURL',
  'Timestamp',
  'Token',
  'TopicArn',
  'Type',
];
const SIGNED_KEYS: Readonly<Record<MessageType, readonly string[]>> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: CONFIRMATION_KEYS,
  UnsubscribeConfirmation: CONFIRMATION_KEYS,
};
const OPTIONAL_KEYS: ReadonlySet<string> = new Set(['Subject']);
const DIGESTS: Readonly<Record<string, { readonly version: 1 | 2; readonly digest: 'sha1' | 'sha256' }>> = {
  '1': { version: 1, digest: 'sha1' },
  '2': { version: 2, digest: 'sha256' },
};
/** SNS's HTTP/S retry window is at most 3,600 s; 5 more minutes cover delivery latency and skew. */
const DEFAULT_SNS_TOLERANCE_SECONDS = 3900;
const ISO_TIMESTAMP = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$/;

const fail = failureOf('sns');

/** The body as an SNS message (a JSON object), or undefined when it is not one. */
function parseMessage(body: Uint8Array): SnsMessage | undefined {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isMessageType(value: unknown): value is MessageType {
  return typeof value === 'string' && Object.hasOwn(SIGNED_KEYS, value);
}

function text(message: SnsMessage, key: string): string | undefined {
  const value = Object.hasOwn(message, key) ? message[key] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `"{Key}\n{Value}\n"` for each signed key present, or the failure naming a missing or non-text key. */
function stringToSign(message: SnsMessage, type: MessageType): string | VerificationFailure {
  let signed = '';
  for (const key of SIGNED_KEYS[type]) {
    if (!Object.hasOwn(message, key) && OPTIONAL_KEYS.has(key)) continue;
    const value = message[key];
    if (typeof value !== 'string') return fail('malformed_signature', `${key} is missing or not a string`);
    signed += `${key}\n${value}\n`;
  }
  return signed;
}

/** Checks the ISO 8601 `Timestamp` (UTC) against the tolerance, past and future. */
function checkIsoTimestamp(value: string, now: Date, toleranceSeconds: number): TimestampCheck {
  const millis = ISO_TIMESTAMP.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(millis) || millis < 0) {
    return { ok: false, reason: 'malformed_timestamp', detail: 'Timestamp is not ISO 8601 UTC' };
  }
  const window = checkTimestamp(String(Math.floor(millis / 1000)), now, toleranceSeconds);
  return window.ok ? { ok: true, signedAt: new Date(millis).toISOString() } : window;
}

interface SignedParts {
  readonly content: string;
  readonly signature: Buffer;
  readonly digest: 'sha1' | 'sha256';
  readonly certificateUrl: string;
  readonly signedAt: string;
}

/** Everything but the certificate: structure, topic, time, signature version and encoding, cert URL. */
function readSignedParts(
  input: VerificationInput,
  options: SchemeConfig<'sns'>,
): SignedParts | VerificationFailure {
  const message = parseMessage(input.body);
  if (message === undefined) return fail('missing_signature', 'body is not an SNS message (a JSON object)');
  const signature = text(message, 'Signature');
  if (signature === undefined) return fail('missing_signature', 'no Signature field');
  const version = text(message, 'SignatureVersion');
  const certificate = text(message, 'SigningCertURL');
  if (version === undefined || certificate === undefined) {
    return fail('missing_signature', 'no SignatureVersion or SigningCertURL field');
  }
  const type = message.Type;
  if (!isMessageType(type)) return fail('malformed_signature', 'Type is not an SNS message type');
  const timestamp = text(message, 'Timestamp');
  if (timestamp === undefined) return fail('missing_timestamp', 'no Timestamp field');
  const content = stringToSign(message, type);
  if (typeof content !== 'string') return content;

  const topic = message.TopicArn as string;
  if (!options.topicArns.includes(topic))
    return fail('topic_not_allowed', `topic ${topic} is not in topicArns`);
  const signed = checkIsoTimestamp(
    timestamp,
    input.now,
    options.toleranceSeconds ?? DEFAULT_SNS_TOLERANCE_SECONDS,
  );
  if (!signed.ok) return fail(signed.reason, signed.detail);

  const algorithm = Object.hasOwn(DIGESTS, version) ? DIGESTS[version] : undefined;
  if (algorithm === undefined) return fail('malformed_signature', 'SignatureVersion is neither 1 nor 2');
  const minimum = options.minSignatureVersion ?? 1;
  if (algorithm.version < minimum) {
    return fail(
      'algorithm_not_allowed',
      `SignatureVersion ${version} is below minSignatureVersion ${minimum}`,
    );
  }
  const signatureBytes = decodeStrictBase64(signature);
  if (signatureBytes === undefined) return fail('malformed_signature', 'Signature is not base64');
  const certificateUrl = signingCertificateUrl(certificate);
  if (certificateUrl === undefined) {
    return fail('malformed_signature', 'SigningCertURL is not an https .pem URL on an SNS host');
  }
  return {
    content,
    signature: signatureBytes,
    digest: algorithm.digest,
    certificateUrl: certificateUrl.href,
    signedAt: signed.signedAt,
  };
}

/**
 * Verifies an SNS message: the signature with the certificate at `SigningCertURL` (fetched only
 * from `https://sns.<region>.amazonaws.com[.cn]/….pem`, cached), the `TopicArn` against
 * `topicArns`, and `Timestamp` within `toleranceSeconds` (default 3900) of now, past or future.
 * `keyId` is the certificate URL.
 *
 * Differences from `sns-validator`: an `UnsubscribeConfirmation` signs `Token` (as AWS documents;
 * the validator leaves it out), the topic and the time are checked (the validator checks neither),
 * the certificate download has a timeout and refuses redirects, and the certificate is read from
 * TLS-authenticated SNS hosts without further chain checks (as the validator does).
 */
export async function verifySns(
  input: VerificationInput,
  options: SchemeConfig<'sns'>,
  deps: SnsVerifyDeps = {},
): Promise<VerificationResult> {
  const parts = readSignedParts(input, options);
  if ('ok' in parts) return parts;
  let key: KeyObject;
  try {
    key = await certificateKey(parts.certificateUrl, deps.fetchCertificate);
  } catch (error: unknown) {
    if (!(error instanceof CertificateUnavailableError))
      return fail('key_unavailable', 'certificate unavailable');
    // No such certificate: the message is forged (401). SNS unreachable: it should retry (503).
    return fail(error.definite ? 'signature_mismatch' : 'key_unavailable', error.message);
  }
  const modulusBytes = (key.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  if (parts.signature.length !== modulusBytes) {
    return fail('malformed_signature', `Signature is not ${modulusBytes} bytes, the certificate key size`);
  }
  if (!signatureVerifies(parts.digest, Buffer.from(parts.content, 'utf8'), key, parts.signature)) {
    return fail('signature_mismatch', 'signature does not verify with the certificate');
  }
  return { ok: true, scheme: 'sns', keyId: parts.certificateUrl, signedAt: parts.signedAt };
}

const SUBSCRIPTION_CONFIRMATION = 'sns.subscription_confirmation';

function refuse(detail: string): HandshakeRefusal {
  return handshakeRefused(SUBSCRIPTION_CONFIRMATION, detail);
}

/**
 * Confirms a verified `SubscriptionConfirmation` by a GET of its `SubscribeURL` (https, SNS host,
 * allowed topic), answering 200 only when that GET succeeded. An `UnsubscribeConfirmation` is
 * acknowledged without calling anything. Notifications are events: undefined.
 */
async function snsHandshake(
  request: HandshakeRequest,
  options: SchemeConfig<'sns'>,
  tools: HandshakeTools,
): Promise<HandshakeOutcome> {
  const message = parseMessage(request.body);
  const type = message?.Type;
  if (message === undefined || (type !== 'SubscriptionConfirmation' && type !== 'UnsubscribeConfirmation')) {
    return undefined;
  }
  if (type === 'UnsubscribeConfirmation') {
    return jsonAnswer('sns.unsubscribe_confirmation', { unsubscribed: true });
  }
  return confirmSubscription(message, options, tools);
}

async function confirmSubscription(
  message: SnsMessage,
  options: SchemeConfig<'sns'>,
  tools: HandshakeTools,
): Promise<HandshakeOutcome> {
  const topic = text(message, 'TopicArn');
  if (topic === undefined || !options.topicArns.includes(topic)) return refuse('topic is not in topicArns');
  const url = snsUrl(text(message, 'SubscribeURL') ?? '');
  if (url === undefined) return refuse('SubscribeURL is not an https URL on an SNS host');
  const urlTopic = url.searchParams.get('TopicArn');
  if (urlTopic !== null && urlTopic !== topic) return refuse('SubscribeURL names another topic');

  let status: number;
  try {
    status = await tools.get(url.href);
  } catch (error: unknown) {
    return refuse(`confirmation GET failed (${error instanceof Error ? error.name : 'unknown error'})`);
  }
  if (status < 200 || status > 299) return refuse(`confirmation GET answered ${status}`);
  return jsonAnswer(SUBSCRIPTION_CONFIRMATION, { confirmed: true });
}

/** The payload as a message object: SNS's `text/plain` body may reach us unparsed. */
function snsPayload(payload: unknown): unknown {
  if (typeof payload !== 'string') return payload;
  return parseMessage(new TextEncoder().encode(payload));
}

export const snsScheme: SchemeDefinition<'sns'> = {
  verify: (input, options) => verifySns(input, options),
  sign: () => {
    throw new CannotSignError(
      'sns messages are signed by AWS with its private key; there is nothing to sign with',
    );
  },
  // The signed `MessageId` stays the same on every retry; the header repeats it unsigned.
  deliveryId: ({ payload, headers }) =>
    stringAt(snsPayload(payload), 'MessageId') ?? headers['x-amz-sns-message-id'],
  eventType: ({ payload, headers }) =>
    stringAt(snsPayload(payload), 'Type') ?? headers['x-amz-sns-message-type'],
  handshake: snsHandshake,
};
