/**
 * An absolute URL cut into its parts as written: nothing is normalised or re-encoded, because the
 * URL-aware providers (Twilio, Contentful) sign the exact characters they called.
 */
export interface UrlParts {
  /** `https://`, as written. */
  readonly scheme: string;
  /** `user:pass@`, or empty. */
  readonly userInfo: string;
  /** A name, an IPv4 address or a bracketed IPv6 literal. */
  readonly host: string;
  /** `:8443`, or empty when the URL names no port. */
  readonly port: string;
  /** Everything after the authority: path, query and fragment (may be empty). */
  readonly rest: string;
}

const URL_PARTS =
  /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*@)?(\[[^\]/?#]*\]|[^:/?#@]*)(:[0-9]*)?(?=[/?#]|$)(.*)$/s;

/** Splits an absolute `scheme://authority/rest` URL without normalising it; undefined otherwise. */
export function splitUrl(url: string): UrlParts | undefined {
  const match = URL_PARTS.exec(url);
  if (match === null) return undefined;
  const [, scheme = '', userInfo = '', host = '', port = '', rest = ''] = match;
  return { scheme, userInfo, host, port, rest };
}
