/** The handler API for handler modules (`functions/handlers/*.ts`). */
export { defineHandler, type HooklineLambdaHandler } from './define-handler.js';
export {
  BodyUnavailableError,
  HandlerError,
  isPermanentError,
  PayloadValidationError,
  PermanentError,
} from './errors.js';
export { type EventMatcher, type EventPattern, type PayloadMatcher, type Router, router } from './router.js';
export type {
  HandlerContext,
  HandlerDefinition,
  HandlerFunction,
  HandlerOptions,
  HooklineEvent,
  Ignored,
  PayloadSchema,
  StandardResult,
} from './types.js';
export { IGNORED } from './types.js';
