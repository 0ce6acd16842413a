/** The runtime's keyed logs: `withLogKeys` lives with the `Log` port (`../logger.ts`). */
export { withLogKeys } from '../logger.js';
