/**
 * AWS Signature Version 4 for requests to a deployed stack's admin routes, which API Gateway
 * guards with IAM authorization (service `execute-api`).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** Static AWS credentials. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** A request about to be sent; the signer returns the headers to send with it. */
export interface SignableRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Returns every header the request must carry (the input headers plus the signature headers). */
export type RequestSigner = (request: SignableRequest) => Promise<Record<string, string>>;

/** The region and credentials `createSigV4Signer` signs admin requests with. */
export interface SigV4SignerOptions {
  readonly region: string;
  /** @default 'execute-api' */
  readonly service?: string;
  /** @default the standard credential chain (environment, shared files, SSO, container, instance) */
  readonly credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** A SigV4 signer; credentials are resolved (and cached by the chain) on first use. */
export function createSigV4Signer(options: SigV4SignerOptions): RequestSigner {
  const signer = new SignatureV4({
    service: options.service ?? 'execute-api',
    region: options.region,
    credentials: options.credentials ?? defaultProvider(),
    sha256: Sha256,
  });
  const now = options.now ?? (() => new Date());
  return async (request) => {
    const signed = await signer.sign(toSmithyRequest(request), { signingDate: now() });
    return Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name, String(value)]));
  };
}

/**
 * The request as `@smithy/signature-v4` reads it: the path as sent on the wire (the signer encodes
 * it once more, as SigV4 requires for every service but S3) and the query decoded (the signer
 * encodes it canonically).
 */
export function toSmithyRequest(request: SignableRequest) {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of request.url.searchParams) {
    const existing = query[name];
    if (existing === undefined) query[name] = value;
    else query[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return {
    method: request.method.toUpperCase(),
    protocol: request.url.protocol,
    hostname: request.url.hostname,
    ...(request.url.port !== '' && { port: Number(request.url.port) }),
    path: request.url.pathname,
    query,
    headers: { ...request.headers, host: request.url.host },
    ...(request.body !== undefined && { body: request.body }),
  };
}
