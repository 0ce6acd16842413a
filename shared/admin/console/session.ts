/**
 * The console's credentials: the start token `hookline dev` prints, the session cookie it is
 * exchanged for, and each session's CSRF token. Sessions are not stored: a cookie carries its
 * issue time and a random id, MACed with a key made for this console alone, and its CSRF token is
 * another MAC of the same id. A restart (a new key) ends every session. Every comparison is made
 * in constant time.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a session lasts after the token was presented. */
export const SESSION_MAX_AGE_MS = 12 * 60 * 60 * 1000;

/** A cookie that checked out. */
export interface ConsoleSession {
  /** The MACed part of the cookie: `<issued at, base 36>.<random id>`. */
  readonly id: string;
}

export interface ConsoleSessions {
  /** The cookie's name: one per token, so two local stacks on one host keep their own. */
  readonly cookieName: string;
  /** Whether `presented` is the console's start token. */
  checkToken(presented: string): boolean;
  /** A new session's cookie value. */
  issue(now: Date): string;
  /** The session a cookie value stands for, if it was issued here and has not expired. */
  verify(cookie: string | undefined, now: Date): ConsoleSession | undefined;
  /** The CSRF token the page of `session` sends in `x-hookline-csrf`. */
  csrfToken(session: ConsoleSession): string;
  checkCsrf(session: ConsoleSession, presented: string | undefined): boolean;
}

export function consoleSessions(token: string, key: Buffer = randomBytes(32)): ConsoleSessions {
  if (token.length < 16) throw new RangeError('the console token must have at least 16 characters');
  const tokenDigest = sha256(token);
  const mac = (purpose: string, id: string) =>
    createHmac('sha256', key).update(`${purpose}:${id}`).digest('base64url');

  return {
    cookieName: `hookline_console_${tokenDigest.subarray(0, 4).toString('hex')}`,
    checkToken: (presented) => timingSafeEqual(sha256(presented), tokenDigest),
    issue(now) {
      const id = `${now.getTime().toString(36)}.${randomBytes(18).toString('base64url')}`;
      return `${id}.${mac('session', id)}`;
    },
    verify(cookie, now) {
      const parts = cookie?.split('.') ?? [];
      const [issued, random, tag] = parts;
      if (parts.length !== 3 || issued === undefined || random === undefined || tag === undefined) {
        return undefined;
      }
      const id = `${issued}.${random}`;
      if (!equalStrings(tag, mac('session', id))) return undefined;
      const age = now.getTime() - Number.parseInt(issued, 36);
      return age >= 0 && age < SESSION_MAX_AGE_MS ? { id } : undefined;
    },
    csrfToken: (session) => mac('csrf', session.id),
    checkCsrf: (session, presented) =>
      presented !== undefined && equalStrings(presented, mac('csrf', session.id)),
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant time for strings of equal length; a length differing says only that they differ. */
function equalStrings(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
