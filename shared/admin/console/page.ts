/**
 * The console's two HTML documents: the page (a skeleton the script fills from the admin API) and
 * the 401 page. Neither holds data from the API: the script builds that with text nodes.
 */
import { EVENT_STATUSES } from '../../event-store/transitions.js';
import { CONSOLE_API_PREFIX, CONSOLE_ASSETS_PREFIX } from './paths.js';

/** Statuses a listing can be filtered by (`received` is never stored, so never listed). */
const LISTED_STATUSES = EVENT_STATUSES.filter((status) => status !== 'received');

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (character) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character] ?? character,
  );
}

function head(title: string, extra = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${CONSOLE_ASSETS_PREFIX}console.css">
${extra}</head>`;
}

/** The console for one session: its CSRF token and the API's base path are in `<meta>` tags. */
export function consolePage(csrfToken: string): string {
  const statusOptions = LISTED_STATUSES.map(
    (status) => `<option value="${escapeHtml(status)}">${escapeHtml(status)}</option>`,
  ).join('');
  return `${head(
    'Hookline console',
    `<meta name="hookline-csrf" content="${escapeHtml(csrfToken)}">
<meta name="hookline-api" content="${escapeHtml(CONSOLE_API_PREFIX)}">
<script src="${CONSOLE_ASSETS_PREFIX}console.js" defer></script>
`,
  )}
<body>
<header class="bar">
  <h1>Hookline</h1><span class="subtitle">local console</span>
  <span id="live" class="live" title="refreshes every 2 s while this tab is visible">live</span>
</header>
<div id="error" class="banner error" role="alert" hidden></div>
<div id="notice" class="banner notice" role="status" hidden></div>
<main>
  <section class="card">
    <h2>Routes</h2>
    <table id="routes" class="grid">
      <thead><tr>
        <th>Route</th><th>Queue</th><th class="num">Queued</th><th class="num">In flight</th>
        <th class="num">Delayed</th><th class="num">DLQ</th><th class="num">Oldest</th><th>Circuit</th>
        <th class="num" title="GET /_hookline/stats, last 24 h">Received</th>
        <th class="num" title="GET /_hookline/stats, last 24 h">Delivered</th>
        <th class="num" title="GET /_hookline/stats, last 24 h">Failed</th><th></th>
      </tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <div class="columns">
    <section class="card events">
      <h2>Events</h2>
      <form id="filters" class="filters">
        <label>Route <select id="filter-route" required></select></label>
        <label>Status <select id="filter-status"><option value="">any</option>${statusOptions}</select></label>
        <label>Since <input id="filter-since" value="24h" size="12" placeholder="24h, 30m or ISO 8601"></label>
        <button type="submit">Apply</button>
        <button type="button" id="bulk-replay" title="replays every event of the route matching the filters, oldest first">Replay matching…</button>
      </form>
      <table id="events" class="grid clickable">
        <thead><tr><th>Received</th><th>Event</th><th>Status</th><th class="num" title="handler attempts">Tries</th><th>Replay of</th></tr></thead>
        <tbody></tbody>
      </table>
      <p id="events-empty" class="muted" hidden>No events match these filters.</p>
      <button type="button" id="load-more" hidden>Load more</button>
    </section>
    <section class="card detail">
      <h2>Event</h2>
      <div id="detail"><p class="muted">Select an event to see its request, attempts and replays.</p></div>
    </section>
  </div>
</main>
<dialog id="confirm">
  <form method="dialog">
    <h3 id="confirm-title"></h3>
    <p id="confirm-text"></p>
    <div class="actions">
      <button value="cancel" id="confirm-cancel">Cancel</button>
      <button value="ok" id="confirm-ok" class="primary">Confirm</button>
    </div>
  </form>
</dialog>
</body>
</html>
`;
}

/** The 401 page: no session, and no valid token in the address. */
export function unauthorizedPage(): string {
  return `${head('Hookline console: sign in')}
<body>
<main class="card narrow">
  <h1>Hookline console</h1>
  <p>This console needs the address <code>hookline dev</code> (or <code>hookline console</code>) printed
  when it started, the one with <code>?token=…</code>. Open that address again (a restart prints a new one).</p>
</main>
</body>
</html>
`;
}
