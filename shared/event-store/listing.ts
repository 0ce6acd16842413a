/**
 * The page loop of an event listing: index keys read a Query at a time, the events' states read
 * 100 at a time, until the page is full, the range is exhausted or the call has examined all the
 * keys it may. What to read comes planned (`planListing`).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { FILTERED_QUERY_PAGE, hasKeys, type IndexKey, queryKeys } from './index-query.js';
import type { EventState } from './items.js';
import { cursorAt, type ListingPlan } from './listing-plan.js';
import { BATCH_GET_MAX_KEYS, type ReadTable, readStates } from './state-reads.js';

export interface EventPage {
  /** In the query's order. */
  readonly events: EventState[];
  /**
   * Set when more events may follow: pass it back as `cursor`. A page can hold fewer than `limit`
   * events, even none, and still have a next page: with a status filter the events after it may all
   * be in other statuses, and a listing that examined `maxKeysPerListing` index keys stops there.
   */
  readonly nextCursor?: string;
}

/**
 * One page of the listing `plan`, examining at most `maxKeys` index keys: a page that reaches that
 * many ends there, with fewer than `limit` events (possibly none) and a `nextCursor` just past the
 * last key examined.
 * @throws HistoryUnavailableError when DynamoDB keeps leaving events unread (throttling)
 */
export function readPage(table: ReadTable, plan: ListingPlan, maxKeys: number): Promise<EventPage> {
  return new PageRead(table, plan, maxKeys).run();
}

/** The state of one page's reads. */
class PageRead {
  private readonly table: ReadTable;
  private readonly plan: ListingPlan;
  private readonly maxKeys: number;
  private readonly events: EventState[] = [];
  /** Index keys read whose events are not read yet, in order. */
  private readonly pending: IndexKey[] = [];
  private startKey: Record<string, AttributeValue> | undefined;
  private exhausted = false;
  /** The sort key of the last event put in the page. */
  private lastSortKey: string | undefined;
  /** Index keys read so far, and the last of them handed on to be read (the cap's cursor). */
  private examined = 0;
  private lastExamined: string | undefined;

  constructor(table: ReadTable, plan: ListingPlan, maxKeys: number) {
    this.table = table;
    this.plan = plan;
    this.maxKeys = maxKeys;
  }

  async run(): Promise<EventPage> {
    while (this.events.length < this.plan.limit) {
      if (this.pending.length > 0) await this.readEvents();
      else if (this.exhausted || this.examined >= this.maxKeys) break;
      else await this.readKeys();
    }
    return this.finish();
  }

  /** The next Query of index keys, onto `pending`. */
  private async readKeys(): Promise<void> {
    const { status, indexed, limit, range } = this.plan;
    const remaining = limit - this.events.length;
    // One key past the page tells whether there is a next page without another Query.
    const wanted = status === undefined || indexed ? remaining + 1 : FILTERED_QUERY_PAGE;
    const pageSize = Math.min(wanted, this.maxKeys - this.examined);
    const page = await queryKeys(this.table, range, pageSize, this.startKey);
    this.pending.push(...page.keys);
    this.examined += page.keys.length;
    this.startKey = page.lastKey;
    this.exhausted = this.startKey === undefined;
    if (page.keys.length === 0 && page.lastKey !== undefined) {
      // Nothing returned yet more to read (a key on an exclusive bound was dropped): count the
      // read, and continue from where it stopped if the cap ends the call here.
      this.examined += 1;
      this.lastExamined = page.lastKey[range.index.sortKey]?.S ?? this.lastExamined;
    }
  }

  /** The events of the next pending keys (up to 100), onto the page while it has room. */
  private async readEvents(): Promise<void> {
    const { status, limit } = this.plan;
    const take =
      status === undefined ? Math.min(BATCH_GET_MAX_KEYS, limit - this.events.length) : BATCH_GET_MAX_KEYS;
    const chunk = this.pending.splice(0, take);
    const states = await readStates(
      this.table,
      chunk.map((key) => key.id),
    );
    for (const [offset, key] of chunk.entries()) {
      this.lastExamined = key.sortKey;
      const state = states.get(key.id);
      // Missing: expired or deleted since the index was read. Another status: the index lags.
      if (state === undefined || (status !== undefined && state.status !== status)) continue;
      this.events.push(state);
      this.lastSortKey = key.sortKey;
      if (this.events.length === limit) {
        this.pending.unshift(...chunk.slice(offset + 1));
        return;
      }
    }
  }

  /** The page, with a cursor when more events may follow. */
  private async finish(): Promise<EventPage> {
    const { events, plan } = this;
    if (events.length < plan.limit) {
      // Stopped short of the limit: the index is exhausted, or this call examined all it may.
      if (this.exhausted || this.lastExamined === undefined) return { events };
      return { events, nextCursor: cursorAt(plan, this.lastExamined) };
    }
    const more =
      this.pending.length > 0 ||
      (this.startKey !== undefined && (await hasKeys(this.table, plan.range, this.startKey)));
    if (!more || this.lastSortKey === undefined) return { events };
    return { events, nextCursor: cursorAt(plan, this.lastSortKey) };
  }
}
