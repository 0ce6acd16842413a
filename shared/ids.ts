import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A Hookline event id: `evt_` + a ULID (48-bit millisecond time, 80 random bits), so ids sort by
 * arrival time and never depend on any SQS message id (which changes on DLQ redrive).
 */
export function newEventId(
  now: Date = new Date(),
  random: (size: number) => Uint8Array = randomBytes,
): string {
  let time = now.getTime();
  let timePart = '';
  for (let i = 0; i < 10; i++) {
    timePart = CROCKFORD.charAt(time % 32) + timePart;
    time = Math.floor(time / 32);
  }
  const bytes = random(10);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let randomPart = '';
  for (let i = 0; i < 16; i++) {
    randomPart = CROCKFORD.charAt(Number(bits & 31n)) + randomPart;
    bits >>= 5n;
  }
  return `evt_${timePart}${randomPart}`;
}

export const EVENT_ID_PATTERN = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;
