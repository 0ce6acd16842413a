// The Hookline console's page script: reads the admin API through the console's `api/` paths and
// builds every piece of the page with text nodes, never markup: event bodies and headers come from
// whoever sent the webhook.
// @ts-check

/** @typedef {{ state: string }} Circuit */
/**
 * @typedef {{ route: string, queueName: string, queued: number, inFlight: number, delayed: number,
 *   dlqDepth: number, oldestMessageAgeSeconds?: number, circuit?: Circuit }} RouteStatus
 */
/** @typedef {{ route: string, received: number, processed: number, failed: number }} RouteStats */
/**
 * @typedef {{ attempt: number, startedAt: string, durationMs: number, outcome: string,
 *   errorName?: string, errorMessage?: string, nextVisibleAt?: string, redriven?: boolean }} Attempt
 */
/**
 * @typedef {{ id: string, route: string, queueName: string, receivedAt: string, updatedAt: string,
 *   status: string, attempts: Attempt[], replayOf?: string, replays?: string[] }} EventSummary
 */
/**
 * @typedef {EventSummary & { method: string, path: string, query?: string,
 *   headers: Record<string, string>, contentType?: string, sourceIp?: string, dedupeKey?: string,
 *   verification: { scheme: string, keyId?: string, verifiedAt: string, signedAt?: string },
 *   replayChain: { id: string, status: string, receivedAt: string }[],
 *   body?: string, bodyBase64?: string, bodyError?: { code: string, message: string } }} EventDetail
 */
/**
 * @typedef {{ matched: number, enqueued: number, skipped: number, nextCursor?: string,
 *   error?: { code: string, message: string } }} ReplayReport
 */

const POLL_MS = 2000;
const PAGE_SIZE = 50;
/** Pages a bulk replay (or its dry run) may chain before the console stops and says so. */
const MAX_REPLAY_PAGES = 100;
/** Statuses in which the admin API refuses a replay (`event_in_flight`). */
const IN_FLIGHT = new Set(['queued', 'processing']);

const apiBase = metaContent('hookline-api');
const csrfToken = metaContent('hookline-csrf');

/** An answer of the admin API other than 2xx, or no answer at all (status 0). */
class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const state = {
  /** @type {RouteStatus[]} */
  routes: [],
  /** @type {Map<string, RouteStats>} */
  stats: new Map(),
  filters: { route: '', status: '', since: '24h' },
  /** @type {Map<string, EventSummary>} */
  events: new Map(),
  /** @type {string | undefined} */
  cursor: undefined,
  /** Whether pages beyond the first were loaded ("load more"). */
  paged: false,
  /** Ids already shown, so that new ones stand out. @type {Set<string>} */
  seen: new Set(),
  /** @type {string | undefined} */
  selected: undefined,
  /** The selected event's last answer, to redraw only on change. */
  detailJson: '',
  /** Bumped on every filter change, so that a listing for older filters is dropped. */
  generation: 0,
  refreshing: false,
  /** Whether the error banner shows a polling error (cleared by the next good poll). */
  pollError: false,
};

// --- the admin API ---------------------------------------------------------------------------

/**
 * @param {string} name
 * @returns {string}
 */
function metaContent(name) {
  const element = document.querySelector(`meta[name="${name}"]`);
  return element?.getAttribute('content') ?? '';
}

/**
 * Calls `/_hookline/<path>` through the console; resolves to its JSON, rejects with an ApiError.
 * @param {'GET' | 'POST'} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
async function call(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (method !== 'GET') headers['x-hookline-csrf'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(apiBase + path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'unreachable', 'the console cannot reach hookline dev: is it still running?');
  }
  const text = await response.text();
  let json;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (response.status === 401) {
    throw new ApiError(
      401,
      'session_ended',
      'this console session has ended: open the URL hookline dev printed',
    );
  }
  if (!response.ok) {
    const error = json?.error;
    throw new ApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : `http_${response.status}`,
      typeof error?.message === 'string' ? error.message : text.slice(0, 300) || response.statusText,
    );
  }
  return json;
}

/**
 * @param {Record<string, string | number | undefined>} fields
 * @returns {string}
 */
function query(fields) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  return params.toString();
}

// --- building the page -----------------------------------------------------------------------

/**
 * An element with properties (`className`, `title`, `href`, `type`, `disabled`…) and children;
 * strings become text nodes, so nothing is ever parsed as markup.
 * @param {string} tag
 * @param {Record<string, string | boolean | undefined>} [properties]
 * @param {...(Node | string | null | undefined)} children
 * @returns {HTMLElement}
 */
function el(tag, properties = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(properties)) {
    if (value === undefined) continue;
    if (name === 'className' && typeof value === 'string') element.className = value;
    else if (typeof value === 'boolean') element.toggleAttribute(name, value);
    else element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element;
}

/**
 * `2026-11-23 13:59:46Z`, like the CLI.
 * @param {string | undefined} iso
 * @returns {string}
 */
function formatTime(iso) {
  if (iso === undefined || iso === '') return '-';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/**
 * The time alone for today's events (the date is in the cell's title), else `formatTime`.
 * @param {string} iso
 * @returns {string}
 */
function formatListTime(iso) {
  const full = formatTime(iso);
  return iso.slice(0, 10) === new Date().toISOString().slice(0, 10) ? full.slice(11) : full;
}

/**
 * @param {number | undefined} seconds
 * @returns {string}
 */
function formatAge(seconds) {
  if (seconds === undefined) return '-';
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/**
 * @param {string} status
 * @returns {HTMLElement}
 */
function statusBadge(status) {
  return el('span', { className: `status status-${status}` }, status);
}

/**
 * @param {string} id
 * @param {string} [text]
 * @returns {HTMLElement}
 */
function eventLink(id, text = id) {
  return el('a', { href: `#event=${encodeURIComponent(id)}`, className: 'mono' }, text);
}

/**
 * @param {Node} parent
 * @param {...Node} children
 */
function replaceChildren(parent, ...children) {
  while (parent.firstChild !== null) parent.removeChild(parent.firstChild);
  for (const child of children) parent.appendChild(child);
}

// --- messages --------------------------------------------------------------------------------

/**
 * Shows `error` in the banner: an API error with its status and code.
 * @param {unknown} error
 * @param {boolean} [fromPoll]
 */
function showError(error, fromPoll = false) {
  const banner = byId('error');
  const text =
    error instanceof ApiError
      ? `${error.message}${error.status > 0 ? ` (${error.status} ${error.code})` : ''}`
      : String(error instanceof Error ? error.message : error);
  replaceChildren(banner, document.createTextNode(text));
  banner.hidden = false;
  state.pollError = fromPoll;
}

function clearError() {
  byId('error').hidden = true;
  state.pollError = false;
}

/**
 * @param {...(Node | string)} parts
 */
function showNotice(...parts) {
  const notice = byId('notice');
  replaceChildren(
    notice,
    ...parts.map((part) => (typeof part === 'string' ? document.createTextNode(part) : part)),
  );
  notice.hidden = false;
}

/**
 * Asks in the page's dialog; resolves to true on confirmation.
 * @param {string} title
 * @param {string} text
 * @param {string} confirmLabel
 * @returns {Promise<boolean>}
 */
function confirmAction(title, text, confirmLabel) {
  const dialog = /** @type {HTMLDialogElement} */ (byId('confirm'));
  byId('confirm-title').textContent = title;
  byId('confirm-text').textContent = text;
  byId('confirm-ok').textContent = confirmLabel;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}

/**
 * Runs a user's action: its errors go to the banner (and stay until the next action).
 * @param {() => Promise<void>} action
 */
async function act(action) {
  clearError();
  try {
    await action();
  } catch (error) {
    showError(error);
  }
}

// --- routes ----------------------------------------------------------------------------------

async function loadRoutes() {
  const [routes, stats] = await Promise.all([
    call('GET', 'routes'),
    // Optional: a gateway without statistics answers 501; the columns stay empty.
    call('GET', `stats?${query({ since: '24h' })}`).catch(() => undefined),
  ]);
  state.routes = routes.routes;
  state.stats = new Map((stats?.routes ?? []).map((/** @type {RouteStats} */ entry) => [entry.route, entry]));
  renderRoutes();
  fillRouteFilter();
}

function renderRoutes() {
  const rows = state.routes.map((route) => {
    const stats = state.stats.get(route.route);
    const redrive = el(
      'button',
      {
        type: 'button',
        disabled: route.dlqDepth === 0,
        title: "move the DLQ's messages back to the route queue",
      },
      'Redrive DLQ',
    );
    redrive.addEventListener('click', () => void act(() => redriveDlq(route)));
    const show = el('button', { type: 'button' }, 'Events');
    show.addEventListener('click', () => {
      /** @type {HTMLSelectElement} */ (byId('filter-route')).value = route.route;
      applyFilters();
    });
    return el(
      'tr',
      { 'data-route': route.route },
      el('td', { className: 'mono' }, route.route),
      el('td', { className: 'mono' }, route.queueName),
      el('td', { className: 'num' }, String(route.queued)),
      el('td', { className: 'num' }, String(route.inFlight)),
      el('td', { className: 'num' }, String(route.delayed)),
      el('td', { className: route.dlqDepth > 0 ? 'num bad dlq' : 'num dlq' }, String(route.dlqDepth)),
      el('td', { className: 'num' }, formatAge(route.oldestMessageAgeSeconds)),
      el('td', {}, route.circuit?.state ?? '-'),
      el('td', { className: 'num' }, stats === undefined ? '-' : String(stats.received)),
      el('td', { className: 'num' }, stats === undefined ? '-' : String(stats.processed)),
      el('td', { className: 'num' }, stats === undefined ? '-' : String(stats.failed)),
      el('td', {}, show, ' ', redrive),
    );
  });
  replaceChildren(byId('routes').querySelector('tbody') ?? byId('routes'), ...rows);
}

function fillRouteFilter() {
  const select = /** @type {HTMLSelectElement} */ (byId('filter-route'));
  const names = state.routes.map((route) => route.route);
  const shown = [...select.options].map((option) => option.value);
  if (names.join('\n') !== shown.join('\n')) {
    replaceChildren(select, ...names.map((name) => el('option', { value: name }, name)));
  }
  if (state.filters.route === '' && names.length > 0) {
    state.filters.route = names[0] ?? '';
  }
  select.value = state.filters.route;
}

/**
 * @param {RouteStatus} route
 */
async function redriveDlq(route) {
  const confirmed = await confirmAction(
    `Redrive the DLQ of ${route.route}?`,
    `The ${route.dlqDepth} message(s) in its dead-letter queue go back to its queue (${route.queueName}) ` +
      'and the handler runs each event again, its next attempt marked as redriven.',
    'Redrive',
  );
  if (!confirmed) return;
  const target = encodeURIComponent(route.queueName);
  await call('POST', `dlq/${target}/redrive`, {});
  showNotice(`Redrive of ${route.route}'s DLQ started.`);
  void followRedrive(route.route, target);
}

/**
 * Reports the redrive's progress until it ends (or a minute passes).
 * @param {string} route
 * @param {string} target
 */
async function followRedrive(route, target) {
  for (let tries = 0; tries < 30; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    try {
      const { tasks } = await call('GET', `dlq/${target}/redrive`);
      const task = tasks?.[0];
      if (task === undefined) continue;
      const of = task.toMove === undefined ? '' : ` of ${task.toMove}`;
      showNotice(`Redrive of ${route}'s DLQ: ${task.status}, moved ${task.moved}${of} message(s).`);
      if (task.status !== 'RUNNING' && task.status !== 'CANCELLING') return;
    } catch (error) {
      showError(error);
      return;
    }
  }
}

// --- events ----------------------------------------------------------------------------------

function readFilters() {
  state.filters = {
    route: /** @type {HTMLSelectElement} */ (byId('filter-route')).value,
    status: /** @type {HTMLSelectElement} */ (byId('filter-status')).value,
    since: /** @type {HTMLInputElement} */ (byId('filter-since')).value.trim(),
  };
}

function applyFilters() {
  readFilters();
  state.generation += 1;
  state.events = new Map();
  state.cursor = undefined;
  state.paged = false;
  state.seen = new Set();
  renderEvents();
  void act(refreshEvents);
}

/**
 * @param {string} [cursor]
 */
function listPath(cursor) {
  const { route, status, since } = state.filters;
  return `events?${query({ route, status, since, limit: PAGE_SIZE, cursor })}`;
}

/**
 * @param {EventSummary} a
 * @param {EventSummary} b
 */
function newestFirst(a, b) {
  if (a.receivedAt !== b.receivedAt) return a.receivedAt < b.receivedAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** The first page again: new events, and changes to those on it. */
async function refreshEvents() {
  if (state.filters.route === '') return;
  const generation = state.generation;
  /** @type {{ events: EventSummary[], nextCursor?: string }} */
  const page = await call('GET', listPath());
  if (generation !== state.generation) return;
  if (!state.paged) {
    state.events = new Map(page.events.map((event) => [event.id, event]));
    state.cursor = page.nextCursor;
  } else {
    // Later pages stay; what the first page now covers is replaced by it (an event that left the
    // filters, say a status filter, goes).
    const oldest = page.events[page.events.length - 1];
    for (const [id, event] of state.events) {
      if (oldest === undefined || newestFirst(event, oldest) <= 0) state.events.delete(id);
    }
    for (const event of page.events) state.events.set(event.id, event);
  }
  renderEvents();
}

async function loadMore() {
  if (state.cursor === undefined) return;
  const generation = state.generation;
  /** @type {{ events: EventSummary[], nextCursor?: string }} */
  const page = await call('GET', listPath(state.cursor));
  if (generation !== state.generation) return;
  for (const event of page.events) state.events.set(event.id, event);
  state.cursor = page.nextCursor;
  state.paged = true;
  renderEvents();
}

function renderEvents() {
  const events = [...state.events.values()].sort(newestFirst);
  const firstDraw = state.seen.size === 0;
  const rows = events.map((event) => {
    const row = el(
      'tr',
      {
        'data-id': event.id,
        'data-status': event.status,
        className: [
          event.id === state.selected ? 'selected' : '',
          !firstDraw && !state.seen.has(event.id) ? 'fresh' : '',
        ].join(' '),
      },
      el('td', { title: event.receivedAt }, formatListTime(event.receivedAt)),
      el('td', { className: 'mono id' }, event.id),
      el('td', {}, statusBadge(event.status)),
      el('td', { className: 'num' }, String(event.attempts.length)),
      el(
        'td',
        {},
        event.replayOf === undefined ? '-' : eventLink(event.replayOf, `${event.replayOf.slice(0, 14)}…`),
      ),
    );
    row.addEventListener('click', (click) => {
      if (click.target instanceof HTMLAnchorElement) return;
      location.hash = `event=${encodeURIComponent(event.id)}`;
    });
    return row;
  });
  for (const event of events) state.seen.add(event.id);
  replaceChildren(byId('events').querySelector('tbody') ?? byId('events'), ...rows);
  byId('events-empty').hidden = events.length > 0 || state.filters.route === '';
  byId('load-more').hidden = state.cursor === undefined;
}

// --- one event -------------------------------------------------------------------------------

function selectedFromHash() {
  const match = /^#event=(.+)$/.exec(location.hash);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}

async function showSelected() {
  state.selected = selectedFromHash();
  state.detailJson = '';
  renderEvents();
  if (state.selected === undefined) {
    replaceChildren(byId('detail'), el('p', { className: 'muted' }, 'Select an event.'));
    return;
  }
  replaceChildren(byId('detail'), el('p', { className: 'muted' }, 'Loading…'));
  await refreshDetail();
}

async function refreshDetail() {
  const id = state.selected;
  if (id === undefined) return;
  let event;
  try {
    ({ event } = await call('GET', `events/${encodeURIComponent(id)}?include=body`));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      replaceChildren(byId('detail'), el('p', { className: 'bad' }, `No event ${id}: ${error.message}`));
      return;
    }
    throw error;
  }
  if (id !== state.selected) return;
  const json = JSON.stringify(event);
  if (json === state.detailJson) return;
  state.detailJson = json;
  renderDetail(event);
}

/**
 * @param {[string, Node | string][]} facts
 * @returns {HTMLElement}
 */
function factList(facts) {
  const list = el('dl', { className: 'facts' });
  for (const [name, value] of facts) list.append(el('dt', {}, name), el('dd', {}, value));
  return list;
}

/**
 * @param {...Node} items
 * @returns {HTMLElement}
 */
function commaList(...items) {
  const span = el('span');
  items.forEach((item, index) => {
    if (index > 0) span.append(', ');
    span.append(item);
  });
  return span;
}

/**
 * @param {EventDetail} event
 */
function renderDetail(event) {
  const replay = el(
    'button',
    {
      type: 'button',
      id: 'replay-event',
      className: 'primary',
      disabled: IN_FLIGHT.has(event.status),
      title: IN_FLIGHT.has(event.status)
        ? 'still on its way: a replay would race it'
        : 're-delivers its request as a new event',
    },
    'Replay this event',
  );
  replay.addEventListener('click', () => void act(() => replayOne(event.id)));
  const verification = event.verification;
  const verified = [
    `passed: ${verification.scheme}`,
    verification.keyId === undefined ? '' : ` (key ${verification.keyId})`,
    ` at ${formatTime(verification.verifiedAt)}`,
    verification.signedAt === undefined ? '' : `, signed ${formatTime(verification.signedAt)}`,
  ].join('');
  const replays = event.replays ?? [];
  replaceChildren(
    byId('detail'),
    el('p', {}, el('span', { className: 'mono', id: 'detail-id' }, event.id), ' ', statusBadge(event.status)),
    el('div', { className: 'detail-actions' }, replay),
    factList([
      ['route', `${event.route} (queue ${event.queueName})`],
      ['received', formatTime(event.receivedAt)],
      ['updated', formatTime(event.updatedAt)],
      ['request', `${event.method} ${event.path}${event.query ? `?${event.query}` : ''}`],
      ['content type', event.contentType ?? '-'],
      ['source ip', event.sourceIp ?? '-'],
      ['verification', verified],
      ['dedupe key', event.dedupeKey ?? '-'],
      ['replay of', event.replayOf === undefined ? '-' : eventLink(event.replayOf)],
      ['replays', replays.length === 0 ? '-' : commaList(...replays.map((id) => eventLink(id)))],
    ]),
    ...replayChainSection(event),
    el('h3', {}, `Attempts (${event.attempts.length})`),
    attemptsTimeline(event.attempts),
    el('h3', {}, 'Headers'),
    headersTable(event.headers),
    el('h3', {}, 'Body'),
    bodyView(event),
  );
}

/**
 * @param {EventDetail} event
 * @returns {Node[]}
 */
function replayChainSection(event) {
  if (event.replayChain.length === 0) return [];
  const list = el('ol', { id: 'replay-chain' });
  for (const ancestor of event.replayChain) {
    list.append(
      el(
        'li',
        {},
        eventLink(ancestor.id),
        ' ',
        statusBadge(ancestor.status),
        ` ${formatTime(ancestor.receivedAt)}`,
      ),
    );
  }
  list.append(el('li', {}, el('span', { className: 'mono' }, event.id), ' (this event)'));
  return [el('h3', {}, 'Replay chain'), list];
}

/**
 * @param {Attempt[]} attempts
 * @returns {HTMLElement}
 */
function attemptsTimeline(attempts) {
  if (attempts.length === 0) return el('p', { className: 'muted' }, 'No attempt yet.');
  const list = el('ol', { className: 'timeline', id: 'attempts' });
  for (const attempt of attempts) {
    const outcome = `${attempt.outcome.replace('_', ' ')}${attempt.redriven ? ' (after redrive)' : ''}`;
    const error =
      attempt.errorName === undefined && attempt.errorMessage === undefined
        ? null
        : el(
            'span',
            { className: 'error-text' },
            `${attempt.errorName ?? 'Error'}: ${attempt.errorMessage ?? ''}`,
          );
    list.append(
      el(
        'li',
        { className: `outcome-${attempt.outcome}` },
        el('strong', {}, `#${attempt.attempt} ${outcome}`),
        ` · ${formatTime(attempt.startedAt)} · ${attempt.durationMs} ms`,
        attempt.nextVisibleAt === undefined ? '' : ` · next try ${formatTime(attempt.nextVisibleAt)}`,
        error,
      ),
    );
  }
  return list;
}

/**
 * @param {Record<string, string>} headers
 * @returns {HTMLElement}
 */
function headersTable(headers) {
  const names = Object.keys(headers).sort();
  if (names.length === 0) return el('p', { className: 'muted' }, 'none kept');
  return el(
    'table',
    { className: 'grid', id: 'headers' },
    el(
      'tbody',
      {},
      ...names.map((name) =>
        el(
          'tr',
          {},
          el('td', { className: 'mono' }, name),
          el('td', { className: 'mono' }, headers[name] ?? ''),
        ),
      ),
    ),
  );
}

/**
 * The body as text, JSON pretty-printed; binary as base64; or why it cannot be shown.
 * @param {EventDetail} event
 * @returns {HTMLElement}
 */
function bodyView(event) {
  if (event.bodyError !== undefined) return el('p', { className: 'muted' }, event.bodyError.message);
  if (event.bodyBase64 !== undefined) {
    return el(
      'div',
      {},
      el('p', { className: 'muted' }, 'binary (not UTF-8), shown as base64:'),
      el('pre', { className: 'body', id: 'body' }, event.bodyBase64),
    );
  }
  if (event.body === undefined || event.body === '') return el('p', { className: 'muted' }, 'empty');
  let text = event.body;
  try {
    text = JSON.stringify(JSON.parse(event.body), null, 2);
  } catch {
    // Not JSON: shown as it came.
  }
  return el('pre', { className: 'body', id: 'body' }, text);
}

/**
 * @param {string} id
 */
async function replayOne(id) {
  const { replay } = await call('POST', 'replay', { id });
  showNotice(`Replayed ${id} as `, eventLink(replay.id), ` (${replay.status}).`);
  state.detailJson = '';
  await Promise.all([refreshEvents(), refreshDetail()]);
}

// --- bulk replay -----------------------------------------------------------------------------

/**
 * `since` as an instant: a bulk replay's pages must all name the same one.
 * @param {string} since
 * @returns {string}
 */
function resolveSince(since) {
  const relative = /^(\d+)\s*(s|m|h|d)$/.exec(since);
  if (relative !== null) {
    const unit = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[/** @type {'s' | 'm' | 'h' | 'd'} */ (relative[2])];
    return new Date(Date.now() - Number(relative[1]) * unit).toISOString();
  }
  const time = new Date(since);
  if (since === '' || Number.isNaN(time.getTime())) {
    throw new Error('a bulk replay needs "since": a duration (30m, 24h, 7d) or an ISO 8601 time');
  }
  return time.toISOString();
}

async function bulkReplay() {
  readFilters();
  const { route, status } = state.filters;
  if (route === '') throw new Error('choose a route first');
  const since = resolveSince(state.filters.since);
  const run = { route, since, ...(status !== '' && { status }) };
  showNotice(`Counting the events of ${route} since ${formatTime(since)}…`);
  const estimate = await replayPages({ ...run, dryRun: true });
  const wouldEnqueue = estimate.matched - estimate.skipped;
  const filterText = `${route} since ${formatTime(since)}${status === '' ? '' : ` with status ${status}`}`;
  const counts = `matched ${estimate.matched}, would enqueue ${wouldEnqueue}, skipped ${estimate.skipped}`;
  showNotice(`Dry run over ${filterText}: ${counts}.`);
  if (wouldEnqueue === 0) return;
  const confirmed = await confirmAction(
    `Replay ${wouldEnqueue} event(s)?`,
    `Dry run over ${filterText}: ${counts}. Each is re-delivered as a new event, oldest first, ` +
      'about 10 per second.',
    `Replay ${wouldEnqueue}`,
  );
  if (!confirmed) {
    showNotice(`Bulk replay cancelled (dry run: ${counts}).`);
    return;
  }
  const done = await replayPages(run, (progress) =>
    showNotice(`Replaying ${filterText}: enqueued ${progress.enqueued}, skipped ${progress.skipped}…`),
  );
  showNotice(
    `Bulk replay of ${filterText} done: matched ${done.matched}, enqueued ${done.enqueued}, skipped ${done.skipped}.`,
  );
  if (done.error !== undefined)
    throw new ApiError(503, done.error.code, `the bulk replay stopped: ${done.error.message}`);
  await refreshEvents();
}

/**
 * Every page of one bulk replay (or dry run), chained by cursor; counts summed.
 * @param {Record<string, unknown>} run
 * @param {(progress: ReplayReport) => void} [onPage]
 * @returns {Promise<ReplayReport>}
 */
async function replayPages(run, onPage) {
  const total = { matched: 0, enqueued: 0, skipped: 0 };
  /** @type {string | undefined} */
  let cursor;
  for (let page = 0; page < MAX_REPLAY_PAGES; page += 1) {
    /** @type {{ report: ReplayReport }} */
    const { report } = await call('POST', 'replay', { ...run, ...(cursor !== undefined && { cursor }) });
    total.matched += report.matched;
    total.enqueued += report.enqueued;
    total.skipped += report.skipped;
    onPage?.(total);
    if (report.error !== undefined) return { ...total, error: report.error };
    cursor = report.nextCursor;
    if (cursor === undefined) return total;
  }
  throw new Error(`stopped after ${MAX_REPLAY_PAGES} pages; run the rest with "hookline replay"`);
}

// --- live updates ----------------------------------------------------------------------------

async function refresh() {
  if (state.refreshing) return;
  state.refreshing = true;
  try {
    await Promise.all([loadRoutes().then(refreshEvents), refreshDetail()]);
    if (state.pollError) clearError();
    byId('live').textContent = `live · ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    showError(error, true);
  } finally {
    state.refreshing = false;
  }
}

function updateLiveIndicator() {
  const live = byId('live');
  const visible = document.visibilityState === 'visible';
  live.classList.toggle('paused', !visible);
  if (!visible) live.textContent = 'paused while hidden';
}

function start() {
  byId('filters').addEventListener('submit', (submit) => {
    submit.preventDefault();
    applyFilters();
  });
  byId('filter-route').addEventListener('change', applyFilters);
  byId('filter-status').addEventListener('change', applyFilters);
  byId('load-more').addEventListener('click', () => void act(loadMore));
  byId('bulk-replay').addEventListener('click', () => void act(bulkReplay));
  byId('error').addEventListener('click', clearError);
  window.addEventListener('hashchange', () => void act(showSelected));
  document.addEventListener('visibilitychange', () => {
    updateLiveIndicator();
    if (document.visibilityState === 'visible') void refresh();
  });
  setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, POLL_MS);
  state.selected = selectedFromHash();
  void refresh();
}

start();
