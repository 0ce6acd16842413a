/** The worker API for consuming route queues outside Lambda (`hookline/worker`). */
export { loadConfig } from '../config/load.js';
export {
  EndpointError,
  type ResolveEndpointsOptions,
  resolveEndpoints,
  type WorkerEndpoints,
} from './endpoints.js';
export {
  type ProcessMessagesOptions,
  type ProcessMessagesResult,
  processMessages,
  startWorker,
  UnknownRouteError,
  type Worker,
  type WorkerOptions,
} from './worker.js';
