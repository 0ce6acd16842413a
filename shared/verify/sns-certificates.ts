import { type KeyObject, X509Certificate } from 'node:crypto';

/**
 * Amazon SNS signing certificates: which URLs may serve them, and a bounded in-memory cache of
 * their public keys so warm invocations fetch each certificate once.
 */

/** Downloads the PEM text at `url`; rejects when it cannot. */
export type FetchCertificate = (url: string) => Promise<string>;

/** The host rule of AWS's own validator (`sns-validator`): `sns.<region>.amazonaws.com[.cn]`. */
const SNS_HOST = /^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$/;
const FETCH_TIMEOUT_MS = 3000;
/** An SNS signing certificate is about 2 KB of PEM; anything much larger is not one. */
const MAX_CERTIFICATE_CHARS = 16_384;
/** Certificates kept per fetcher; SNS uses one per region at a time, rotated rarely. */
const MAX_CACHED_CERTIFICATES = 32;

/**
 * `text` as a URL when it is `https://sns.<region>.amazonaws.com[.cn]/…` on the default port with
 * no credentials, else undefined. The host check is what makes a fetched certificate trustworthy:
 * TLS proves the certificate came from SNS.
 */
export function snsUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const plain = url.protocol === 'https:' && url.port === '' && url.username === '' && url.password === '';
  return plain && SNS_HOST.test(url.hostname) ? url : undefined;
}

/** A `SigningCertURL` that may be fetched: an SNS URL whose path is a `.pem` file, with no query. */
export function signingCertificateUrl(text: string): URL | undefined {
  const url = snsUrl(text);
  if (url === undefined) return undefined;
  return url.pathname.endsWith('.pem') && url.search === '' && url.hash === '' ? url : undefined;
}

/** The certificate could not be obtained or read; `message` names no key material. */
export class CertificateUnavailableError extends Error {
  override name = 'CertificateUnavailableError';
  /**
   * SNS's host answered, and there is no such certificate (a 4xx, or what it served is none): the
   * message names a certificate SNS never signed with. Otherwise the host could not be reached.
   */
  readonly definite: boolean;

  constructor(message: string, definite: boolean) {
    super(message);
    this.definite = definite;
  }
}

/** Statuses that say the host is busy or slow rather than that the certificate does not exist. */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 425, 429]);

async function fetchOverHttps(url: string): Promise<string> {
  // No redirects: the host rule must hold for the URL that actually serves the certificate.
  const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (response.status !== 200) {
    const definite =
      response.status >= 400 && response.status < 500 && !TRANSIENT_STATUSES.has(response.status);
    throw new CertificateUnavailableError(`certificate URL answered ${response.status}`, definite);
  }
  return response.text();
}

/** The RSA public key of a PEM certificate. */
function rsaKeyOf(pem: string): KeyObject {
  if (pem.length > MAX_CERTIFICATE_CHARS)
    throw new CertificateUnavailableError('certificate is too large', true);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new CertificateUnavailableError('certificate is not a PEM X.509 certificate', true);
  }
  if (certificate.publicKey.asymmetricKeyType !== 'rsa') {
    throw new CertificateUnavailableError('certificate key is not RSA', true);
  }
  return certificate.publicKey;
}

type KeyCache = Map<string, Promise<KeyObject>>;

const defaultCache: KeyCache = new Map();
const customFetchCaches = new WeakMap<FetchCertificate, KeyCache>();

function cacheFor(fetchCertificate: FetchCertificate | undefined): KeyCache {
  if (fetchCertificate === undefined) return defaultCache;
  const cache = customFetchCaches.get(fetchCertificate) ?? new Map();
  customFetchCaches.set(fetchCertificate, cache);
  return cache;
}

async function download(url: string, fetchCertificate: FetchCertificate): Promise<KeyObject> {
  let pem: string;
  try {
    pem = await fetchCertificate(url);
  } catch (error: unknown) {
    if (error instanceof CertificateUnavailableError) throw error;
    const cause = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
    throw new CertificateUnavailableError(`certificate fetch failed (${cause})`, false);
  }
  return rsaKeyOf(pem);
}

/**
 * The public key of the certificate at `url` (already checked with `signingCertificateUrl`),
 * fetched once per URL and fetcher. Concurrent callers share one download; a download that could
 * not reach SNS is forgotten so the next message tries again, while a definite answer that there is
 * no such certificate is kept, so forged messages naming one cost no further request to SNS.
 * Rejects with `CertificateUnavailableError`.
 */
export function certificateKey(url: string, fetchCertificate?: FetchCertificate): Promise<KeyObject> {
  const cache = cacheFor(fetchCertificate);
  const cached = cache.get(url);
  if (cached !== undefined) return cached;

  const pending = download(url, fetchCertificate ?? fetchOverHttps);
  pending.catch((error: unknown) => {
    const definite = error instanceof CertificateUnavailableError && error.definite;
    if (!definite && cache.get(url) === pending) cache.delete(url);
  });
  if (cache.size >= MAX_CACHED_CERTIFICATES) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(url, pending);
  return pending;
}
