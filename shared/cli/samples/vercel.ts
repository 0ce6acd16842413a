/**
 * Vercel `deployment.succeeded`: a production deployment finished building. The signer adds
 * `x-vercel-signature`.
 */
import type { WebhookSample } from './sample.js';
import { hexId, jsonSample } from './sample-builders.js';

const TEAM_ID = 'team_a1B2c3D4e5F6g7H8i9J0kLmN';
const PROJECT = { id: 'prj_Q9r8S7t6U5v4W3x2Y1z0AbCd', name: 'storefront' };

const deploymentSucceeded = jsonSample({
  name: 'vercel.deployment.succeeded',
  description: 'Vercel deployment.succeeded: a production deployment is ready',
  scheme: 'vercel',
  eventType: 'deployment.succeeded',
  payload: (context) => {
    const deploymentId = `dpl_${hexId(context, 'vercel.deployment', 28)}`;
    const host = `${PROJECT.name}-${hexId(context, 'vercel.host', 9)}-example-team.vercel.app`;
    return {
      id: hexId(context, 'vercel.event', 20),
      type: 'deployment.succeeded',
      createdAt: context.now.getTime(),
      region: 'iad1',
      payload: {
        team: { id: TEAM_ID },
        user: { id: 'vL3Mn8pQ2rS5tU7vW9xY1zA' },
        deployment: {
          id: deploymentId,
          meta: { githubCommitRef: 'main', githubCommitSha: hexId(context, 'vercel.commit', 40) },
          url: host,
          name: PROJECT.name,
        },
        links: {
          deployment: `https://vercel.com/example-team/${PROJECT.name}/${deploymentId.slice(4)}`,
          project: `https://vercel.com/example-team/${PROJECT.name}`,
        },
        target: 'production',
        project: { id: PROJECT.id },
        plan: 'pro',
        regions: ['iad1'],
      },
    };
  },
});

/** Vercel's sample: `vercel.deployment.succeeded`. */
export const vercelSamples: readonly WebhookSample[] = [deploymentSucceeded];
