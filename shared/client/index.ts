/** `hookline/client`: send events to a Hookline route from another service. */
export {
  type FetchFunction,
  HooklineClient,
  HooklineClientError,
  type HooklineClientOptions,
  newWebhookId,
  type SendOptions,
  type SendResult,
  signStandardWebhook,
} from './hookline-client.js';
