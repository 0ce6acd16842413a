import { eventPath } from '../http/paths.js';
import { jsonResponse } from '../http/response.js';
import type { Log } from '../logger.js';
import { type Answer, answer } from './pipeline.js';

/** Where the event's status can be read (the admin API's event resource). */
export function statusUrl(origin: string, id: string): string {
  return `${origin}${eventPath(id)}`;
}

/** 200 for a delivery already accepted as event `id`. */
export function duplicateAnswer(log: Log, id: string, routePath: string, origin: string): Answer {
  log.info('duplicate delivery', { eventId: id, route: routePath });
  return answer(jsonResponse(200, { id, duplicate: true, statusUrl: statusUrl(origin, id) }), 'duplicate');
}
