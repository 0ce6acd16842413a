/**
 * What keeps other pages away from the console: every answer forbids framing, caching and
 * referrers and allows only the console's own script and style sheet; a request another page
 * made is refused.
 */

/** Headers on every console answer. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * Why a request was made by another page, or undefined when it was not: an `Origin` other than
 * the console's own (`null` included), or `Sec-Fetch-Site` saying another site made it. Another
 * port on this host is `same-site` to a browser (sites ignore ports) and its cookies are sent
 * there, SameSite=Strict or not: so `same-site` is refused too. Requests without either header
 * (programs, older browsers' same-origin GETs) pass; the session cookie still has to be there.
 */
export function foreignRequest(headers: Readonly<Record<string, string | undefined>>): string | undefined {
  const origin = headers.origin;
  const host = headers.host;
  if (origin !== undefined && (host === undefined || hostOf(origin) !== host.toLowerCase())) {
    return `requests from ${origin} are not allowed`;
  }
  const site = headers['sec-fetch-site']?.trim().toLowerCase();
  if (site === 'cross-site') return 'requests from a page on another site are not allowed';
  if (site === 'same-site') return 'requests from a page on another origin are not allowed';
  return undefined;
}

function hostOf(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}
