/** Where the console lives under the admin prefix, and what it calls its parts. */
import { ADMIN_PATH_PREFIX } from '../../http/paths.js';

/** The console's page; its API and assets are below it. */
export const CONSOLE_PATH = `${ADMIN_PATH_PREFIX}/console`;

/** The console's view of the admin API: `<CONSOLE_API_PREFIX>/<admin path>` is `/_hookline/<admin path>`. */
export const CONSOLE_API_PREFIX = `${CONSOLE_PATH}/api/`;

/** Static files of the page (script and style sheet). */
export const CONSOLE_ASSETS_PREFIX = `${CONSOLE_PATH}/assets/`;

/** True for the console's page and everything below it. */
export function isConsolePath(path: string): boolean {
  return path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`);
}
