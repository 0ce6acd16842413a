/**
 * GitHub repository webhooks: `push`, `pull_request` (opened) and the `ping` sent to a new hook.
 * The signer adds `x-github-delivery` and the signature; the event is named in `x-github-event`.
 */
import type { SampleContext, WebhookSample } from './sample.js';
import { hexId, isoSeconds, jsonSample, numericId, secondsBefore, unixSeconds } from './sample-builders.js';

const OWNER = { login: 'octo-org', id: 6_811_672, type: 'Organization' };
const SENDER = { login: 'octocat', id: 583_231, type: 'User', site_admin: false };
const REPOSITORY = {
  id: 641_907_348,
  node_id: 'R_kgDOJkKJlA',
  name: 'hello-world',
  full_name: 'octo-org/hello-world',
  private: false,
  owner: OWNER,
  html_url: 'https://github.com/octo-org/hello-world',
  url: 'https://api.github.com/repos/octo-org/hello-world',
  default_branch: 'main',
};
const HOOK_ID = 471_245_902;

/** The headers GitHub sends besides the delivery id and the signature. */
function githubHeaders(event: string): () => Readonly<Record<string, string>> {
  return () => ({
    'x-github-event': event,
    'x-github-hook-id': String(HOOK_ID),
    'x-github-hook-installation-target-type': 'repository',
    'x-github-hook-installation-target-id': String(REPOSITORY.id),
    'user-agent': 'GitHub-Hookshot/3a4e9b1',
  });
}

/** A commit as push payloads list it. */
function commit(context: SampleContext, sha: string) {
  return {
    id: sha,
    tree_id: hexId(context, 'github.tree', 40),
    distinct: true,
    message: 'Fix typo in README',
    timestamp: isoSeconds(secondsBefore(context.now, 5)),
    url: `${REPOSITORY.html_url}/commit/${sha}`,
    author: { name: 'The Octocat', email: 'octocat@github.com', username: SENDER.login },
    committer: { name: 'The Octocat', email: 'octocat@github.com', username: SENDER.login },
    added: [],
    removed: [],
    modified: ['README.md'],
  };
}

const push = jsonSample({
  name: 'github.push',
  description: 'GitHub push: one commit pushed to main',
  scheme: 'github',
  eventType: 'push',
  headers: githubHeaders('push'),
  payload: (context) => {
    const before = hexId(context, 'github.before', 40);
    const after = hexId(context, 'github.after', 40);
    const head = commit(context, after);
    return {
      ref: 'refs/heads/main',
      before,
      after,
      repository: { ...REPOSITORY, pushed_at: unixSeconds(context.now) },
      pusher: { name: SENDER.login, email: 'octocat@github.com' },
      sender: SENDER,
      created: false,
      deleted: false,
      forced: false,
      base_ref: null,
      compare: `${REPOSITORY.html_url}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
      commits: [head],
      head_commit: head,
    };
  },
});

const pullRequest = jsonSample({
  name: 'github.pull_request',
  description: 'GitHub pull_request: a pull request opened',
  scheme: 'github',
  eventType: 'pull_request',
  headers: githubHeaders('pull_request'),
  payload: (context) => {
    const number = numericId(context, 'github.pull_number', 3);
    const openedAt = isoSeconds(context.now);
    return {
      action: 'opened',
      number,
      pull_request: {
        id: numericId(context, 'github.pull_id', 10),
        number,
        state: 'open',
        draft: false,
        title: 'Add a greeting to the README',
        body: 'Says hello to new contributors.',
        user: SENDER,
        html_url: `${REPOSITORY.html_url}/pull/${number}`,
        created_at: openedAt,
        updated_at: openedAt,
        head: { ref: 'add-greeting', sha: hexId(context, 'github.head', 40), repo: REPOSITORY },
        base: { ref: 'main', sha: hexId(context, 'github.base', 40), repo: REPOSITORY },
        merged: false,
        commits: 1,
        additions: 3,
        deletions: 0,
        changed_files: 1,
      },
      repository: REPOSITORY,
      sender: SENDER,
    };
  },
});

const ping = jsonSample({
  name: 'github.ping',
  // Two pings differ by their `x-github-delivery`, which the signer sets.
  description: 'GitHub ping: the first delivery to a new webhook',
  scheme: 'github',
  eventType: 'ping',
  headers: githubHeaders('ping'),
  payload: (context) => ({
    zen: 'Keep it logically awesome.',
    hook_id: HOOK_ID,
    hook: {
      type: 'Repository',
      id: HOOK_ID,
      name: 'web',
      active: true,
      events: ['push', 'pull_request'],
      config: { content_type: 'json', insecure_ssl: '0', url: 'https://hooks.example.com/github/' },
      created_at: isoSeconds(context.now),
      updated_at: isoSeconds(context.now),
      url: `${REPOSITORY.url}/hooks/${HOOK_ID}`,
      test_url: `${REPOSITORY.url}/hooks/${HOOK_ID}/test`,
      ping_url: `${REPOSITORY.url}/hooks/${HOOK_ID}/pings`,
    },
    repository: REPOSITORY,
    sender: SENDER,
  }),
});

/** GitHub's samples: `github.push`, `github.pull_request`, `github.ping`. */
export const githubSamples: readonly WebhookSample[] = [push, pullRequest, ping];
