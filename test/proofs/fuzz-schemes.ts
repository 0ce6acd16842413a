/**
 * The schemes the fuzz proof (./fuzz-proof.ts) attacks: every scheme a route can name but `none`,
 * each with its route, its signer, where its signature travels and what that signature covers.
 * The table is keyed by scheme name, so a scheme added to the config without an entry here is a
 * type error.
 */
import {
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
} from 'node:crypto';
import { SignJWT } from 'jose';
import { generate as generateCertificate } from 'selfsigned';
import type { ResolvedRoute, VerifyScheme } from '../../shared/config/types.js';
import { PADDLE_DEFAULT_TOLERANCE_SECONDS } from '../../shared/verify/paddle.js';
import { schemeNamed } from '../../shared/verify/registry.js';
import type { SchemeConfig } from '../../shared/verify/scheme.js';
import { DEFAULT_TOLERANCE_SECONDS } from '../../shared/verify/timestamp.js';
import { makeRoute } from '../helpers/routes.js';
import { githubHeaders, standardWebhooksHeaders, stripeHeaders } from '../helpers/signers.js';

type FuzzedScheme = Exclude<VerifyScheme, 'none'>;

type Headers = Record<string, string>;

/** A request as it is sent: what the ingress receives. */
export interface Delivery {
  readonly body: string;
  readonly headers: Headers;
}

/** A value of a request that a mutation reads and replaces: a header, a body field, the whole body. */
export interface Place {
  read(delivery: Delivery): string;
  write(delivery: Delivery, value: string): Delivery;
}

/** How a scheme signs, where its signature travels and what a forger would change. */
export interface Scheme {
  readonly name: FuzzedScheme;
  readonly route: ResolvedRoute;
  /**
   * `content` as the provider sends it, signed now (or at `at`). The body is `content` itself, or a
   * body carrying it in a field (and, for Mailgun, Graph and SNS, carrying the signature too).
   */
  sign(content: string, at?: Date): Promise<Delivery>;
  /** Where the signature (or token) travels. */
  readonly signature: Place;
  /**
   * The signed parts of the body, where a tamperer changes it: the whole body, or the signed fields
   * of a body that carries its own signature (SNS). Empty when the body is not covered (a token,
   * Graph's clientState, Mailgun's signature of its own fields, a JWT).
   */
  readonly signedParts: readonly Place[];
  /**
   * The route's window, in seconds, for the signed time (the scheme's default `toleranceSeconds`);
   * undefined when no time is signed, a resend being a duplicate.
   */
  readonly toleranceSeconds: number | undefined;
}

export const MAX_BODY_BYTES = 4096;
/** Where the proof's ingress says it is reached: the base of the URL that URL-aware schemes sign. */
export const PUBLIC_ORIGIN = 'https://hooks.fuzz.example';

const SECRET = 'fuzz-secret-0123456789abcdef';
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const POSTMARK_CREDENTIALS = 'fuzz:secret-0123456789abcdef';
const SNS_TOPIC = 'arn:aws:sns:us-east-1:123456789012:fuzz';
const JWT_LIFETIME_SECONDS = 60;
/** The jwt scheme's default `clockToleranceSeconds`. */
const JWT_CLOCK_TOLERANCE_SECONDS = 30;

const SECRET_REF = { name: 'FUZZ_SECRET' };
const WHSEC_REF = { name: 'FUZZ_WHSEC' };
const POSTMARK_REF = { name: 'FUZZ_POSTMARK' };
const DISCORD_REF = { name: 'FUZZ_DISCORD_KEY' };
const SENDGRID_REF = { name: 'FUZZ_SENDGRID_KEY' };

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

function header(name: string): Place {
  return {
    read: (delivery) => delivery.headers[name] ?? '',
    write: (delivery, value) => ({ ...delivery, headers: { ...delivery.headers, [name]: value } }),
  };
}

const WHOLE_BODY: Place = {
  read: (delivery) => delivery.body,
  write: (delivery, body) => ({ ...delivery, body }),
};

type JsonObject = Record<string, unknown>;

/** The string at `path` in a JSON body (`'value', '0', 'clientState'`). */
function jsonField(...path: readonly string[]): Place {
  const key = path.at(-1) ?? '';
  const parentOf = (json: unknown) =>
    path.slice(0, -1).reduce((value, step) => (value as JsonObject)[step], json) as JsonObject;
  return {
    read: (delivery) => String(parentOf(JSON.parse(delivery.body))[key]),
    write: (delivery, value) => {
      const json: unknown = JSON.parse(delivery.body);
      parentOf(json)[key] = value;
      return { ...delivery, body: JSON.stringify(json) };
    },
  };
}

/** A field of a urlencoded form body. */
function formField(name: string): Place {
  return {
    read: (delivery) => new URLSearchParams(delivery.body).get(name) ?? '',
    write: (delivery, value) => {
      const form = new URLSearchParams(delivery.body);
      form.set(name, value);
      return { ...delivery, body: form.toString() };
    },
  };
}

const publicUrl = (route: ResolvedRoute) => `${PUBLIC_ORIGIN}${route.path}`;

const unixSeconds = (at: Date) => Math.floor(at.getTime() / 1000);
const hmacHex = (algorithm: string, secret: string, text: string) =>
  createHmac(algorithm, secret).update(text).digest('hex');
const hmacBase64 = (algorithm: string, secret: string, text: string) =>
  createHmac(algorithm, secret).update(text).digest('base64');

/** Signs `content` at `at` for `route`, as its provider sends it. */
type Signer = (content: string, at: Date, route: ResolvedRoute) => Promise<Delivery>;

/** A provider's signer that makes only headers, the body sent as it is. */
function headersOnly(signHeaders: (body: string, at: Date) => Headers | Promise<Headers>): Signer {
  return async (content, at) => ({ body: content, headers: await signHeaders(content, at) });
}

interface OwnSignerOptions {
  /** The secret value the scheme signs with. @default SECRET */
  readonly secret?: string;
  /** The body the provider sends for `content`. @default `content` itself */
  readonly body?: (content: string) => string;
  /** @default application/json */
  readonly contentType?: string;
}

/**
 * The scheme's own `sign` (shared/verify/<scheme>.ts), over the URL the ingress reconstructs. Its
 * unit test checks it against the provider's SDK or documented rule.
 */
function ownSigner({
  secret = SECRET,
  body = (content) => content,
  contentType = JSON_TYPE,
}: OwnSignerOptions = {}): Signer {
  return async (content, at, route) => {
    const scheme = schemeNamed(route.verify.scheme);
    if (scheme.sign === undefined) throw new Error(`scheme ${route.verify.scheme} has no signer`);
    const sent = body(content);
    const signed = await scheme.sign(
      { method: 'POST', url: publicUrl(route), body: sent, secret, now: at, deliveryId: randomUUID() },
      route.verify,
    );
    return { body: signed.body ?? sent, headers: { 'content-type': contentType, ...signed.headers } };
  };
}

/** How a provider signs `${timestamp}${raw body}` with its private key (Discord, SendGrid). */
interface TimestampedKeySignature {
  readonly signatureHeader: string;
  readonly timestampHeader: string;
  /** `null` for Ed25519, which hashes internally. */
  readonly digest: 'sha256' | null;
  readonly encoding: 'hex' | 'base64';
}

function timestampedKeySigner(privateKey: KeyObject, format: TimestampedKeySignature): Signer {
  return async (content, at) => {
    const timestamp = String(unixSeconds(at));
    const signature = sign(format.digest, Buffer.from(`${timestamp}${content}`), privateKey);
    return {
      body: content,
      headers: {
        'content-type': JSON_TYPE,
        [format.signatureHeader]: signature.toString(format.encoding),
        [format.timestampHeader]: timestamp,
      },
    };
  };
}

/** The keys of the providers that sign with a private key, and SNS's certificate. */
export interface ProviderKeys {
  readonly discord: { readonly privateKey: KeyObject; readonly publicKeyHex: string };
  readonly sendgrid: { readonly privateKey: KeyObject; readonly publicKeyBase64: string };
  readonly sns: {
    readonly privateKey: KeyObject;
    readonly certificatePem: string;
    readonly certificateUrl: string;
  };
}

export async function generateProviderKeys(): Promise<ProviderKeys> {
  const discord = generateKeyPairSync('ed25519');
  const sendgrid = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const certificate = await generateCertificate([{ name: 'commonName', value: 'sns.amazonaws.com' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 86_400_000),
  });
  return {
    discord: {
      privateKey: discord.privateKey,
      publicKeyHex: Buffer.from(discord.publicKey.export({ format: 'jwk' }).x ?? '', 'base64url').toString(
        'hex',
      ),
    },
    sendgrid: {
      privateKey: sendgrid.privateKey,
      publicKeyBase64: sendgrid.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    },
    sns: {
      privateKey: createPrivateKey(certificate.private),
      certificatePem: certificate.cert,
      // Unique per run: the verifier caches certificate keys by URL for the life of the process.
      certificateUrl: `https://sns.us-east-1.amazonaws.com/SimpleNotificationService-fuzz${randomUUID().replaceAll('-', '')}.pem`,
    },
  };
}

/** The keys AWS documents as signed in a notification, in signing order (`Subject` left out). */
const SNS_SIGNED_KEYS = ['Message', 'MessageId', 'Timestamp', 'TopicArn', 'Type'] as const;

/** An SNS notification carrying `content` as its `Message`, signed with SHA256withRSA as AWS does. */
function snsSigner(keys: ProviderKeys['sns']): Signer {
  return async (content, at) => {
    const fields = {
      Type: 'Notification',
      MessageId: randomUUID(),
      TopicArn: SNS_TOPIC,
      Message: content,
      Timestamp: at.toISOString(),
    };
    const signed = SNS_SIGNED_KEYS.map((key) => `${key}\n${fields[key]}\n`).join('');
    const message = {
      ...fields,
      SignatureVersion: '2',
      Signature: sign('sha256', Buffer.from(signed), keys.privateKey).toString('base64'),
      SigningCertURL: keys.certificateUrl,
    };
    return {
      body: JSON.stringify(message),
      headers: {
        'content-type': 'text/plain; charset=UTF-8',
        'x-amz-sns-message-type': message.Type,
        'x-amz-sns-message-id': message.MessageId,
      },
    };
  };
}

/** A scheme's entry: route options, signer and what a mutation changes (see `Scheme`). */
interface Entry<S extends FuzzedScheme> {
  readonly verify: SchemeConfig<S>;
  readonly sign: Signer;
  readonly signature: Place;
  readonly signedParts: readonly Place[];
  readonly toleranceSeconds: number | undefined;
}

type Entries = { readonly [S in FuzzedScheme]: Entry<S> };

interface BodySignedOptions {
  /** The scheme's default window for its signed time; absent when no time is signed. */
  readonly toleranceSeconds?: number;
  /** @default the scheme's own `sign`, the body sent as it is */
  readonly sign?: Signer;
}

/** Every byte of the body signed (with a time, when it has a tolerance), the signature in a header. */
function bodySigned<S extends FuzzedScheme>(
  verify: SchemeConfig<S>,
  signatureHeader: string,
  { toleranceSeconds, sign = ownSigner() }: BodySignedOptions = {},
): Entry<S> {
  return { verify, sign, signature: header(signatureHeader), signedParts: [WHOLE_BODY], toleranceSeconds };
}

/** `${timestamp}${raw body}` signed with `privateKey` (the route holds its public key). */
function keySigned<S extends FuzzedScheme>(
  verify: SchemeConfig<S>,
  privateKey: KeyObject,
  format: TimestampedKeySignature,
): Entry<S> {
  return bodySigned(verify, format.signatureHeader, {
    toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
    sign: timestampedKeySigner(privateKey, format),
  });
}

/** A shared token in a header: the body is not covered and no time is signed. */
function tokenHeader<S extends FuzzedScheme>(
  verify: SchemeConfig<S>,
  tokenHeaderName: string,
  secret = SECRET,
): Entry<S> {
  return {
    verify,
    sign: ownSigner({ secret }),
    signature: header(tokenHeaderName),
    signedParts: [],
    toleranceSeconds: undefined,
  };
}

/** A JSON body holding `content`, built by `shape`. */
const jsonBody =
  (shape: (content: string) => Record<string, unknown>) =>
  (content: string): string =>
    JSON.stringify(shape(content));

/** The schemes' entries; tolerances are each scheme's default `toleranceSeconds`. */
function entries(keys: ProviderKeys): Entries {
  return {
    // The seven original schemes keep the providers' own signers and documented rules.
    github: bodySigned({ scheme: 'github', secret: SECRET_REF }, 'x-hub-signature-256', {
      sign: headersOnly((body) => githubHeaders(SECRET, body, randomUUID())),
    }),
    stripe: bodySigned({ scheme: 'stripe', secret: WHSEC_REF }, 'stripe-signature', {
      toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
      sign: headersOnly((body, at) => stripeHeaders(WHSEC, body, unixSeconds(at))),
    }),
    standardWebhooks: bodySigned({ scheme: 'standardWebhooks', secret: WHSEC_REF }, 'webhook-signature', {
      toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
      sign: headersOnly((body, at) => standardWebhooksHeaders(WHSEC, body, `msg_${randomUUID()}`, at)),
    }),
    slack: bodySigned({ scheme: 'slack', secret: SECRET_REF }, 'x-slack-signature', {
      toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
      sign: headersOnly((body, at) => ({
        'content-type': JSON_TYPE,
        'x-slack-request-timestamp': String(unixSeconds(at)),
        'x-slack-signature': `v0=${hmacHex('sha256', SECRET, `v0:${unixSeconds(at)}:${body}`)}`,
      })),
    }),
    shopify: bodySigned({ scheme: 'shopify', secret: SECRET_REF }, 'x-shopify-hmac-sha256', {
      sign: headersOnly((body) => ({
        'content-type': JSON_TYPE,
        'x-shopify-webhook-id': randomUUID(),
        'x-shopify-hmac-sha256': hmacBase64('sha256', SECRET, body),
      })),
    }),
    hmac: bodySigned(
      {
        scheme: 'hmac',
        secret: SECRET_REF,
        header: 'x-signature',
        prefix: 'sha256=',
        timestampHeader: 'x-timestamp',
      },
      'x-signature',
      {
        toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
        sign: headersOnly((body, at) => ({
          'content-type': JSON_TYPE,
          'x-timestamp': String(unixSeconds(at)),
          'x-signature': `sha256=${hmacHex('sha256', SECRET, `${unixSeconds(at)}.${body}`)}`,
        })),
      },
    ),
    jwt: {
      verify: { scheme: 'jwt', secret: SECRET_REF },
      sign: headersOnly(async (_body, at) => {
        const issuedAt = unixSeconds(at);
        const token = await new SignJWT({ jti: randomUUID() })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuedAt(issuedAt)
          .setExpirationTime(issuedAt + JWT_LIFETIME_SECONDS)
          .sign(new TextEncoder().encode(SECRET));
        return { 'content-type': JSON_TYPE, authorization: `Bearer ${token}` };
      }),
      signature: header('authorization'),
      // A JWT signs its claims, not the body.
      signedParts: [],
      toleranceSeconds: JWT_LIFETIME_SECONDS + JWT_CLOCK_TOLERANCE_SECONDS,
    },

    // The others sign with the scheme's own `sign`.
    bitbucket: bodySigned({ scheme: 'bitbucket', secret: SECRET_REF }, 'x-hub-signature'),
    meta: bodySigned({ scheme: 'meta', secret: SECRET_REF, verifyToken: SECRET_REF }, 'x-hub-signature-256'),
    x: bodySigned({ scheme: 'x', secret: SECRET_REF }, 'x-twitter-webhooks-signature'),
    intercom: bodySigned({ scheme: 'intercom', secret: SECRET_REF }, 'x-hub-signature'),
    vercel: bodySigned({ scheme: 'vercel', secret: SECRET_REF }, 'x-vercel-signature'),
    typeform: bodySigned({ scheme: 'typeform', secret: SECRET_REF }, 'typeform-signature'),
    dropbox: bodySigned({ scheme: 'dropbox', secret: SECRET_REF }, 'x-dropbox-signature'),
    asana: bodySigned({ scheme: 'asana', secret: SECRET_REF }, 'x-hook-signature'),
    pagerduty: bodySigned({ scheme: 'pagerduty', secret: SECRET_REF }, 'x-pagerduty-signature'),
    sentry: bodySigned({ scheme: 'sentry', secret: SECRET_REF }, 'sentry-hook-signature'),
    // The notification URL and the raw body.
    square: bodySigned({ scheme: 'square', secret: SECRET_REF }, 'x-square-hmacsha256-signature'),
    zoom: bodySigned({ scheme: 'zoom', secret: SECRET_REF }, 'x-zm-signature', {
      toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
    }),
    paddle: bodySigned({ scheme: 'paddle', secret: SECRET_REF }, 'paddle-signature', {
      toleranceSeconds: PADDLE_DEFAULT_TOLERANCE_SECONDS,
    }),
    // RFC 3339 timestamps.
    twitch: bodySigned({ scheme: 'twitch', secret: SECRET_REF }, 'twitch-eventsub-message-signature', {
      toleranceSeconds: 600,
    }),
    // Millisecond timestamps; HubSpot and Contentful also sign the method and URL.
    hubspot: bodySigned({ scheme: 'hubspot', secret: SECRET_REF }, 'x-hubspot-signature-v3', {
      toleranceSeconds: 300,
    }),
    contentful: bodySigned({ scheme: 'contentful', secret: SECRET_REF }, 'x-contentful-signature', {
      toleranceSeconds: 30,
    }),
    workos: bodySigned({ scheme: 'workos', secret: SECRET_REF }, 'workos-signature', {
      toleranceSeconds: 180,
    }),
    // The signed time is the body's `webhookTimestamp` (ms), which the signer sets.
    linear: bodySigned({ scheme: 'linear', secret: SECRET_REF }, 'linear-signature', {
      toleranceSeconds: 60,
      sign: ownSigner({
        body: jsonBody((content) => ({ type: 'Issue', action: 'create', data: { title: content } })),
      }),
    }),
    // A form POST: the URL and the decoded parameters are signed, not the bytes that encode them.
    twilio: {
      verify: { scheme: 'twilio', secret: SECRET_REF },
      sign: ownSigner({
        body: (content) => new URLSearchParams({ Body: content }).toString(),
        contentType: FORM_TYPE,
      }),
      signature: header('x-twilio-signature'),
      signedParts: [formField('Body')],
      toleranceSeconds: undefined,
    },
    gitlab: tokenHeader({ scheme: 'gitlab', secret: SECRET_REF }, 'x-gitlab-token'),
    okta: tokenHeader({ scheme: 'okta', secret: SECRET_REF }, 'authorization'),
    telegram: tokenHeader({ scheme: 'telegram', secret: SECRET_REF }, 'x-telegram-bot-api-secret-token'),
    postmark: tokenHeader(
      { scheme: 'postmark', secret: POSTMARK_REF },
      'authorization',
      POSTMARK_CREDENTIALS,
    ),
    msGraph: {
      verify: { scheme: 'msGraph', secret: SECRET_REF },
      sign: ownSigner({
        body: jsonBody((content) => ({ value: [{ changeType: 'created', resource: content }] })),
      }),
      signature: jsonField('value', '0', 'clientState'),
      signedParts: [],
      toleranceSeconds: undefined,
    },
    mailgun: {
      verify: { scheme: 'mailgun', secret: SECRET_REF },
      sign: ownSigner({
        body: jsonBody((content) => ({ 'event-data': { event: 'delivered', message: content } })),
      }),
      signature: jsonField('signature', 'signature'),
      // Mailgun signs `${timestamp}${token}`, not the event.
      signedParts: [],
      toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
    },
    // Their `sign` cannot: the secret is a public key. Signed with the private keys generated here.
    discord: keySigned({ scheme: 'discord', secret: DISCORD_REF }, keys.discord.privateKey, {
      signatureHeader: 'x-signature-ed25519',
      timestampHeader: 'x-signature-timestamp',
      digest: null,
      encoding: 'hex',
    }),
    sendgrid: keySigned({ scheme: 'sendgrid', secret: SENDGRID_REF }, keys.sendgrid.privateKey, {
      signatureHeader: 'x-twilio-email-event-webhook-signature',
      timestampHeader: 'x-twilio-email-event-webhook-timestamp',
      digest: 'sha256',
      encoding: 'base64',
    }),
    // No secret: AWS signs with the certificate's key; the route lists the topics it accepts.
    sns: {
      verify: { scheme: 'sns', topicArns: [SNS_TOPIC] },
      sign: snsSigner(keys.sns),
      signature: jsonField('Signature'),
      signedParts: SNS_SIGNED_KEYS.map((key) => jsonField(key)),
      toleranceSeconds: 3900,
    },
  };
}

/** The fuzzed schemes and the environment their routes' secrets resolve from. */
export interface FuzzSchemes {
  readonly schemes: readonly Scheme[];
  readonly secrets: Readonly<Record<string, string>>;
}

export function fuzzSchemes(keys: ProviderKeys): FuzzSchemes {
  const schemes = Object.entries(entries(keys)).map(([name, entry]): Scheme => {
    const route = makeRoute({
      path: `/fuzz/${name}/`,
      verify: entry.verify,
      maxBodyBytes: MAX_BODY_BYTES,
      expectJson: false,
      dedupe: { source: 'scheme', windowSeconds: 3600 },
    });
    return {
      name: entry.verify.scheme,
      route,
      sign: (content, at = new Date()) => entry.sign(content, at, route),
      signature: entry.signature,
      signedParts: entry.signedParts,
      toleranceSeconds: entry.toleranceSeconds,
    };
  });
  return {
    schemes,
    secrets: {
      FUZZ_SECRET: SECRET,
      FUZZ_WHSEC: WHSEC,
      FUZZ_POSTMARK: POSTMARK_CREDENTIALS,
      FUZZ_DISCORD_KEY: keys.discord.publicKeyHex,
      FUZZ_SENDGRID_KEY: keys.sendgrid.publicKeyBase64,
    },
  };
}

/**
 * Runs `run` while `fetch` answers the SNS certificate URL with the generated certificate (AWS's
 * hosts are not reached from here); every other URL goes out as usual, and `fetch` is restored.
 */
export async function withSnsCertificate<T>(keys: ProviderKeys, run: () => Promise<T>): Promise<T> {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    return url === keys.sns.certificateUrl
      ? new Response(keys.sns.certificatePem, { status: 200 })
      : realFetch(input, init);
  };
  try {
    return await run();
  } finally {
    globalThis.fetch = realFetch;
  }
}
