/**
 * Dropbox: the notification that files changed in users' Dropboxes. It names the accounts only (the
 * app reads the changes with `/files/list_folder/continue`); the signer adds `x-dropbox-signature`.
 */
import type { WebhookSample } from './sample.js';
import { hexId, jsonSample, numericId } from './sample-builders.js';

const listFolder = jsonSample({
  name: 'dropbox.list_folder',
  description: 'Dropbox list_folder notification: files changed for one account',
  scheme: 'dropbox',
  // Dropbox sends one kind of notification and names no event type.
  payload: (context) => ({
    list_folder: {
      accounts: [`dbid:AA${Buffer.from(hexId(context, 'dropbox.account', 60), 'hex').toString('base64url')}`],
    },
    delta: { users: [numericId(context, 'dropbox.user', 8)] },
  }),
});

/** Dropbox's sample: `dropbox.list_folder`. */
export const dropboxSamples: readonly WebhookSample[] = [listFolder];
