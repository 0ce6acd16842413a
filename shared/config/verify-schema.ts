/** How a route verifies a request: one strict object per scheme, told apart by `scheme`. */
import { z } from 'zod';
import { asanaVerify } from './schemes/asana.js';
import { bitbucketVerify } from './schemes/bitbucket.js';
import { contentfulVerify } from './schemes/contentful.js';
import { discordVerify } from './schemes/discord.js';
import { dropboxVerify } from './schemes/dropbox.js';
import { githubVerify } from './schemes/github.js';
import { gitlabVerify } from './schemes/gitlab.js';
import { hmacVerify } from './schemes/hmac.js';
import { hubspotVerify } from './schemes/hubspot.js';
import { intercomVerify } from './schemes/intercom.js';
import { jwtVerify } from './schemes/jwt.js';
import { linearVerify } from './schemes/linear.js';
import { mailgunVerify } from './schemes/mailgun.js';
import { metaVerify } from './schemes/meta.js';
import { msGraphVerify } from './schemes/ms-graph.js';
import { noneVerify } from './schemes/none.js';
import { oktaVerify } from './schemes/okta.js';
import { paddleVerify } from './schemes/paddle.js';
import { pagerdutyVerify } from './schemes/pagerduty.js';
import { postmarkVerify } from './schemes/postmark.js';
import { sendgridVerify } from './schemes/sendgrid.js';
import { sentryVerify } from './schemes/sentry.js';
import { shopifyVerify } from './schemes/shopify.js';
import { slackVerify } from './schemes/slack.js';
import { snsVerify } from './schemes/sns.js';
import { squareVerify } from './schemes/square.js';
import { standardWebhooksVerify } from './schemes/standard-webhooks.js';
import { stripeVerify } from './schemes/stripe.js';
import { telegramVerify } from './schemes/telegram.js';
import { twilioVerify } from './schemes/twilio.js';
import { twitchVerify } from './schemes/twitch.js';
import { typeformVerify } from './schemes/typeform.js';
import { vercelVerify } from './schemes/vercel.js';
import { workosVerify } from './schemes/workos.js';
import { xVerify } from './schemes/x.js';
import { zoomVerify } from './schemes/zoom.js';

export const verifySchema = z.discriminatedUnion('scheme', [
  githubVerify,
  stripeVerify,
  standardWebhooksVerify,
  slackVerify,
  shopifyVerify,
  hmacVerify,
  jwtVerify,
  gitlabVerify,
  bitbucketVerify,
  metaVerify,
  xVerify,
  intercomVerify,
  vercelVerify,
  typeformVerify,
  mailgunVerify,
  postmarkVerify,
  msGraphVerify,
  dropboxVerify,
  oktaVerify,
  asanaVerify,
  telegramVerify,
  pagerdutyVerify,
  sentryVerify,
  twilioVerify,
  squareVerify,
  hubspotVerify,
  contentfulVerify,
  paddleVerify,
  zoomVerify,
  twitchVerify,
  linearVerify,
  workosVerify,
  discordVerify,
  sendgridVerify,
  snsVerify,
  noneVerify,
]);

/** Every `scheme` value, in the order of `verifySchema`'s options. */
export const verifySchemes = verifySchema.options.map((option) => option.shape.scheme.value);

/** Whether `name` is a scheme a route can name (an envelope from another release may carry any text). */
export function isVerifyScheme(name: string): name is (typeof verifySchemes)[number] {
  return (verifySchemes as readonly string[]).includes(name);
}
