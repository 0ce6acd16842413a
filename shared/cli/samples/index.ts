/**
 * Every sample webhook `hookline trigger <provider>.<event>` can send, by provider: the ones most
 * asked for first, then the other provider schemes. Each is signed by its scheme's own signer.
 */
import { asanaSamples } from './asana.js';
import { bitbucketSamples } from './bitbucket.js';
import { contentfulSamples } from './contentful.js';
import { discordSamples } from './discord.js';
import { dropboxSamples } from './dropbox.js';
import { githubSamples } from './github.js';
import { gitlabSamples } from './gitlab.js';
import { hubspotSamples } from './hubspot.js';
import { intercomSamples } from './intercom.js';
import { linearSamples } from './linear.js';
import { mailgunSamples } from './mailgun.js';
import { metaSamples } from './meta.js';
import { msGraphSamples } from './ms-graph.js';
import { oktaSamples } from './okta.js';
import { paddleSamples } from './paddle.js';
import { pagerdutySamples } from './pagerduty.js';
import { postmarkSamples } from './postmark.js';
import type { WebhookSample } from './sample.js';
import { sendgridSamples } from './sendgrid.js';
import { sentrySamples } from './sentry.js';
import { shopifySamples } from './shopify.js';
import { slackSamples } from './slack.js';
import { snsSamples } from './sns.js';
import { squareSamples } from './square.js';
import { standardWebhooksSamples } from './standard-webhooks.js';
import { stripeSamples } from './stripe.js';
import { telegramSamples } from './telegram.js';
import { twilioSamples } from './twilio.js';
import { twitchSamples } from './twitch.js';
import { typeformSamples } from './typeform.js';
import { vercelSamples } from './vercel.js';
import { workosSamples } from './workos.js';
import { xSamples } from './x.js';
import { zoomSamples } from './zoom.js';

export type { SampleContext, WebhookSample } from './sample.js';

/** All samples, in the order `hookline trigger --list` shows them. Names are unique. */
export const SAMPLES: readonly WebhookSample[] = [
  ...githubSamples,
  ...stripeSamples,
  ...shopifySamples,
  ...slackSamples,
  ...twilioSamples,
  ...zoomSamples,
  ...discordSamples,
  ...paddleSamples,
  ...standardWebhooksSamples,
  ...gitlabSamples,
  ...bitbucketSamples,
  ...sendgridSamples,
  ...mailgunSamples,
  ...postmarkSamples,
  ...squareSamples,
  ...twitchSamples,
  ...metaSamples,
  ...xSamples,
  ...msGraphSamples,
  ...dropboxSamples,
  ...oktaSamples,
  ...asanaSamples,
  ...linearSamples,
  ...intercomSamples,
  ...hubspotSamples,
  ...typeformSamples,
  ...sentrySamples,
  ...vercelSamples,
  ...contentfulSamples,
  ...telegramSamples,
  ...pagerdutySamples,
  ...workosSamples,
  ...snsSamples,
];

/** The sample named `name` (`github.push`, exactly as listed), or undefined when there is none. */
export function findSample(name: string): WebhookSample | undefined {
  return SAMPLES.find((sample) => sample.name === name);
}
