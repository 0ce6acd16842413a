/**
 * The page loop of an event listing: the route's shard partitions read and merged in order
 * (`ShardMerge`), state items taken as they come (or, from the status index, read 100 at a time),
 * until the page is full, the range is exhausted or the call has examined all the items it may.
 * What to read comes planned (`planListing`).
 */
import { type EventState, toEventState } from './items.js';
import { cursorAt, type ListingPlan } from './listing-plan.js';
import { type ShardEntry, ShardMerge } from './shard-query.js';
import { BATCH_GET_MAX_KEYS, type ReadTable, readStates } from './state-reads.js';

/** Items read per shard, over the first Queries of a listing whose status filter is checked on the states. */
export const FILTERED_QUERY_PAGE = 1000;

export interface EventPage {
  /** In the query's order. */
  readonly events: EventState[];
  /**
   * Set when more events may follow: pass it back as `cursor`. A page can hold fewer than `limit`
   * events, even none, and still have a next page: with a status filter the events after it may all
   * be in other statuses, and a listing that examined `maxKeysPerListing` items stops there.
   */
  readonly nextCursor?: string;
}

/**
 * One page of the listing `plan`, examining at most `maxKeys` items (or one per shard, when that is
 * more): a page that reaches that many ends there, with fewer than `limit` events (possibly none)
 * and a `nextCursor` just past what it examined in every shard.
 * @throws HistoryUnavailableError when DynamoDB keeps leaving events unread (throttling)
 */
export async function readPage(table: ReadTable, plan: ListingPlan, maxKeys: number): Promise<EventPage> {
  const { limit, status, indexed, range } = plan;
  const shards = Math.max(1, range.partitions.length);
  const filtered = status !== undefined && !indexed;
  const merge = new ShardMerge(table, range, {
    // Enough for the page if the events are spread evenly (twice over), so that a shard runs dry
    // and is read again only rarely.
    firstPageSize: filtered
      ? Math.ceil(FILTERED_QUERY_PAGE / shards)
      : Math.ceil((2 * (limit + 1)) / shards) + 1,
    maxItems: maxKeys,
  });
  const page =
    range.source === 'table' ? await statesOf(merge, plan) : await indexedStatesOf(table, merge, plan);
  const { events, last, leftover } = page;
  if (events.length === limit) {
    const more = leftover || (await merge.hasMore());
    return more && last !== undefined ? { events, nextCursor: cursorAt(plan, last) } : { events };
  }
  // Stopped short of the limit: every shard is read to its end, or this call examined all it may.
  const bound = merge.capped ? merge.bound() : undefined;
  return bound === undefined ? { events } : { events, nextCursor: cursorAt(plan, bound) };
}

interface PageSoFar {
  readonly events: EventState[];
  /** Id of the last event in the page. */
  readonly last: string | undefined;
  /** Entries read past the last event of a full page (they are read again by the next page). */
  readonly leftover: boolean;
}

/** The page from state items, checking a status filter on each. */
async function statesOf(merge: ShardMerge, plan: ListingPlan): Promise<PageSoFar> {
  const events: EventState[] = [];
  let last: string | undefined;
  while (events.length < plan.limit) {
    const entry = await merge.next();
    if (entry === undefined) break;
    const state = toEventState(entry.item);
    if (plan.status !== undefined && state.status !== plan.status) continue;
    events.push(state);
    last = entry.id;
  }
  return { events, last, leftover: false };
}

/**
 * The page from `byRouteStatus` keys: their states read 100 at a time, each checked for the status
 * (the index lags the table: an event may have moved on since).
 */
async function indexedStatesOf(table: ReadTable, merge: ShardMerge, plan: ListingPlan): Promise<PageSoFar> {
  const events: EventState[] = [];
  let last: string | undefined;
  for (;;) {
    const chunk: ShardEntry[] = [];
    const wanted = Math.min(BATCH_GET_MAX_KEYS, plan.limit - events.length);
    while (chunk.length < wanted) {
      const entry = await merge.next();
      if (entry === undefined) break;
      chunk.push(entry);
    }
    if (chunk.length === 0) return { events, last, leftover: false };
    const states = await readStates(
      table,
      chunk.map((entry) => entry.id),
    );
    for (const [offset, entry] of chunk.entries()) {
      const state = states.get(entry.id);
      // Missing: expired or deleted since the index was read. Another status: the index lags.
      if (state === undefined || state.status !== plan.status) continue;
      events.push(state);
      last = entry.id;
      if (events.length === plan.limit) return { events, last, leftover: offset < chunk.length - 1 };
    }
  }
}
