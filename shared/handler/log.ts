import type { Log } from '../logger.js';

/** `log` with `keys` merged into every line's attributes (one object, so any `Log` prints them). */
export function withLogKeys(log: Log, keys: Readonly<Record<string, unknown>>): Log {
  const merge = (attributes: Record<string, unknown>[]) => Object.assign({}, keys, ...attributes);
  return {
    info: (message, ...attributes) => log.info(message, merge(attributes)),
    warn: (message, ...attributes) => log.warn(message, merge(attributes)),
    error: (message, ...attributes) => log.error(message, merge(attributes)),
  };
}
