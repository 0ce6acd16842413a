/**
 * GitLab `Push Hook`: one commit pushed to main. GitLab names the event in `x-gitlab-event`; the
 * signer adds `x-gitlab-token` (or the signing-token headers) and `idempotency-key`.
 */
import type { WebhookSample } from './sample.js';
import { hexId, jsonSample, secondsBefore, uuidId } from './sample-builders.js';

const PROJECT = {
  id: 15,
  name: 'Diaspora',
  description: '',
  web_url: 'https://gitlab.example.com/mike/diaspora',
  git_ssh_url: 'git@gitlab.example.com:mike/diaspora.git',
  git_http_url: 'https://gitlab.example.com/mike/diaspora.git',
  namespace: 'Mike',
  visibility_level: 0,
  path_with_namespace: 'mike/diaspora',
  default_branch: 'main',
};

const pushHook = jsonSample({
  name: 'gitlab.push',
  description: 'GitLab Push Hook: one commit pushed to main',
  scheme: 'gitlab',
  eventType: 'Push Hook',
  headers: (context) => ({
    'x-gitlab-event': 'Push Hook',
    'x-gitlab-event-uuid': uuidId(context, 'gitlab.event'),
    'x-gitlab-webhook-uuid': '1e4b0f1e-9a2b-4c55-8b8e-5d0c3a2f7b11',
    'x-gitlab-instance': 'https://gitlab.example.com',
    'user-agent': 'GitLab/17.6.0',
  }),
  payload: (context) => {
    const before = hexId(context, 'gitlab.before', 40);
    const after = hexId(context, 'gitlab.after', 40);
    return {
      object_kind: 'push',
      event_name: 'push',
      before,
      after,
      ref: 'refs/heads/main',
      ref_protected: true,
      checkout_sha: after,
      user_id: 4,
      user_name: 'John Smith',
      user_username: 'jsmith',
      user_email: '',
      user_avatar:
        'https://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=8://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=80',
      project_id: PROJECT.id,
      project: PROJECT,
      commits: [
        {
          id: after,
          message:
            'Update Catalan translation to e38cb41.\n\nSee https://gitlab.com/gitlab-org/gitlab for more information',
          title: 'Update Catalan translation to e38cb41.',
          timestamp: secondsBefore(context.now, 5).toISOString(),
          url: `${PROJECT.web_url}/-/commit/${after}`,
          author: { name: 'Jordi Mallach', email: 'jordi@softcatala.org' },
          added: ['CHANGELOG'],
          modified: ['app/controller/application.rb'],
          removed: [],
        },
      ],
      total_commits_count: 1,
      repository: {
        name: PROJECT.name,
        url: PROJECT.git_ssh_url,
        description: '',
        homepage: PROJECT.web_url,
        git_http_url: PROJECT.git_http_url,
        git_ssh_url: PROJECT.git_ssh_url,
        visibility_level: 0,
      },
    };
  },
});

/** GitLab's sample: `gitlab.push` (a `Push Hook`). */
export const gitlabSamples: readonly WebhookSample[] = [pushHook];
