/**
 * Event ids (table layout v2, docs/architecture.md "Table layout"): an id says where its event's
 * state lives, so a lookup by id is one GetItem and a route's listing needs no index.
 *
 * `evt_` + ULID (26: 48-bit millisecond time, 80 random bits) + shard (2) + route tag (8), all
 * Crockford base32: `evt_01JD3Z8M4T0A6V9G2H5K7N1P3Q` `0K` `7HX2M4QA`. The ULID comes first, so ids
 * sort by arrival time whatever their shard or route; they never depend on an SQS message id
 * (which changes on DLQ redrive).
 */
import { createHash, randomBytes } from 'node:crypto';
import { normalizePath } from './config/queue-name.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CROCKFORD_CHARACTER = '[0-9A-HJKMNP-TV-Z]';

const PREFIX = 'evt_';
/** Characters of the ULID's time part, of the whole ULID, of the shard and of the route tag. */
const TIME_LENGTH = 10;
const ULID_LENGTH = 26;
const SHARD_LENGTH = 2;
const ROUTE_TAG_LENGTH = 8;

/** Most shards a route may have: two Crockford characters hold 1 024, the config allows this many. */
export const MAX_ROUTE_SHARDS = 256;

/** Every event id Hookline makes. */
export const EVENT_ID_PATTERN = new RegExp(
  `^${PREFIX}${CROCKFORD_CHARACTER}{${ULID_LENGTH + SHARD_LENGTH + ROUTE_TAG_LENGTH}}$`,
);

/** What placing a new event needs to know of its route: its path (the tag) and its shard count. */
export interface RoutePlacement {
  readonly path: string;
  readonly shards: number;
}

/** Makes a new event id for an event of `route` received at `now`. */
export type NewEventId = (now: Date, route: RoutePlacement) => string;

/** What an event id says. */
export interface EventIdParts {
  /** Milliseconds since the epoch: when the event was received. */
  readonly time: number;
  /** The route's shard the event's state is kept in (0 to the route's shard count − 1). */
  readonly shard: number;
  /** The shard as it is written in the id and in the state's partition key: two Crockford characters. */
  readonly shardCode: string;
  /** The route's tag (`routeTag(path)`). */
  readonly routeTag: string;
}

/**
 * A new event id for `route`: a ULID for `now`, and one of the route's shards chosen at random.
 * `random(size)` gives random bytes (10 for the ULID, then 2 for the shard).
 */
export function newEventId(
  now: Date,
  route: RoutePlacement,
  random: (size: number) => Uint8Array = randomBytes,
): string {
  const shards = checkShards(route.shards);
  const ulid = newUlid(now, random);
  return `${PREFIX}${ulid}${shardCode(pickShard(random, shards))}${routeTag(route.path)}`;
}

/** A ULID (26 Crockford characters) for `now`: time first, so ULIDs sort by time. */
export function newUlid(now: Date = new Date(), random: (size: number) => Uint8Array = randomBytes): string {
  let bits = 0n;
  for (const byte of random(10)) bits = (bits << 8n) | BigInt(byte);
  let randomPart = '';
  for (let i = 0; i < 16; i++) {
    randomPart = CROCKFORD.charAt(Number(bits & 31n)) + randomPart;
    bits >>= 5n;
  }
  return `${encodeTime(now.getTime())}${randomPart}`;
}

/** What `id` says, or undefined when it is not an id Hookline makes (an older format included). */
export function parseEventId(id: string): EventIdParts | undefined {
  if (typeof id !== 'string' || !EVENT_ID_PATTERN.test(id)) return undefined;
  const body = id.slice(PREFIX.length);
  const code = body.slice(ULID_LENGTH, ULID_LENGTH + SHARD_LENGTH);
  return {
    time: decode(body.slice(0, TIME_LENGTH)),
    shard: decode(code),
    shardCode: code,
    routeTag: body.slice(ULID_LENGTH + SHARD_LENGTH),
  };
}

/**
 * The tag of a route in its events' ids and partition keys: the first 40 bits of the SHA-256 of
 * its path (`/a/b/` and `/a/b` alike), 8 Crockford characters. Config validation refuses two routes
 * of one config with the same tag.
 */
export function routeTag(path: string): string {
  const normalized = normalizePath(path);
  let tag = TAGS.get(normalized);
  if (tag === undefined) {
    const digest = createHash('sha256').update(normalized, 'utf8').digest();
    let bits = 0n;
    for (const byte of digest.subarray(0, 5)) bits = (bits << 8n) | BigInt(byte);
    tag = '';
    for (let i = 0; i < ROUTE_TAG_LENGTH; i++) {
      tag = CROCKFORD.charAt(Number(bits & 31n)) + tag;
      bits >>= 5n;
    }
    TAGS.set(normalized, tag);
  }
  return tag;
}

const TAGS = new Map<string, string>();

/** Shard `shard` as written in ids and partition keys: two Crockford characters (`0` → `00`). */
export function shardCode(shard: number): string {
  if (!Number.isInteger(shard) || shard < 0 || shard >= CROCKFORD.length ** SHARD_LENGTH) {
    throw new RangeError(
      `shard must be an integer from 0 to ${CROCKFORD.length ** SHARD_LENGTH - 1}, got ${shard}`,
    );
  }
  return CROCKFORD.charAt(Math.floor(shard / CROCKFORD.length)) + CROCKFORD.charAt(shard % CROCKFORD.length);
}

/**
 * The smallest string an id received at `time` (ms) can start with: every id received at or after
 * `time` sorts at or after it, every id received before sorts before it.
 */
export function eventIdFloor(time: number): string {
  return `${PREFIX}${encodeTime(time)}`;
}

/** The lowest prefix every id sorts after (`evt_`). */
export const EVENT_ID_PREFIX = PREFIX;

function checkShards(shards: number): number {
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_ROUTE_SHARDS) {
    throw new RangeError(`a route's shards must be an integer from 1 to ${MAX_ROUTE_SHARDS}, got ${shards}`);
  }
  return shards;
}

/** A shard from two random bytes (the bias of `% shards` over 65 536 values is below 0.4 %). */
function pickShard(random: (size: number) => Uint8Array, shards: number): number {
  const [high = 0, low = 0] = random(2);
  return ((high << 8) | low) % shards;
}

function encodeTime(ms: number): string {
  let time = ms;
  let text = '';
  for (let i = 0; i < TIME_LENGTH; i++) {
    text = CROCKFORD.charAt(time % 32) + text;
    time = Math.floor(time / 32);
  }
  return text;
}

function decode(text: string): number {
  let value = 0;
  for (const character of text) value = value * 32 + CROCKFORD.indexOf(character);
  return value;
}
