/**
 * Bitbucket Cloud `repo:push`: one commit pushed to main. The event is named in `x-event-key`; the
 * signer adds `x-hub-signature` and `x-request-uuid`.
 */
import type { WebhookSample } from './sample.js';
import { hexId, jsonSample, secondsBefore } from './sample-builders.js';

const ACTOR = {
  type: 'user',
  display_name: 'Emma Example',
  uuid: '{5b8c9a8e-0a1b-4f2e-9c3d-7e6f5a4b3c2d}',
  account_id: '557058:3f1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8',
  nickname: 'emma',
};
const REPOSITORY = {
  type: 'repository',
  full_name: 'example-team/website',
  name: 'website',
  uuid: '{0c7d3a1e-2b4f-4d6a-8e9c-1a2b3c4d5e6f}',
  is_private: true,
  links: { html: { href: 'https://bitbucket.org/example-team/website' } },
  workspace: {
    type: 'workspace',
    slug: 'example-team',
    name: 'Example Team',
    uuid: '{9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d}',
  },
};

const repoPush = jsonSample({
  name: 'bitbucket.repo:push',
  description: 'Bitbucket repo:push: one commit pushed to main',
  scheme: 'bitbucket',
  eventType: 'repo:push',
  headers: () => ({
    'x-event-key': 'repo:push',
    'x-hook-uuid': '6a0f3d1c-8e2b-4b7a-9d5c-3e1f2a4b6c8d',
    'x-attempt-number': '1',
    'user-agent': 'Bitbucket-Webhooks/2.0',
  }),
  payload: (context) => {
    const oldHash = hexId(context, 'bitbucket.old', 40);
    const newHash = hexId(context, 'bitbucket.new', 40);
    const commit = {
      type: 'commit',
      hash: newHash,
      message: 'Update the landing page copy\n',
      date: secondsBefore(context.now, 5).toISOString().replace('Z', '+00:00'),
      author: { type: 'author', raw: 'Emma Example <emma@example.com>', user: ACTOR },
      links: { html: { href: `${REPOSITORY.links.html.href}/commits/${newHash}` } },
    };
    return {
      push: {
        changes: [
          {
            old: { type: 'branch', name: 'main', target: { type: 'commit', hash: oldHash } },
            new: { type: 'branch', name: 'main', target: commit },
            created: false,
            closed: false,
            forced: false,
            truncated: false,
            commits: [commit],
            links: {
              html: { href: `${REPOSITORY.links.html.href}/branches/compare/${newHash}..${oldHash}` },
            },
          },
        ],
      },
      repository: REPOSITORY,
      actor: ACTOR,
    };
  },
});

/** Bitbucket's sample: `bitbucket.repo:push`. */
export const bitbucketSamples: readonly WebhookSample[] = [repoPush];
