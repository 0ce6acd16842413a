/**
 * Every signature scheme a route's `verify.scheme` may name, by that name. A scheme missing here is
 * a type error: the map is keyed by the config's own union of scheme names.
 */
import type { VerifyScheme } from '../config/types.js';
import { asanaScheme } from './asana.js';
import { bitbucketScheme } from './bitbucket.js';
import { contentfulScheme } from './contentful.js';
import { discordScheme } from './discord.js';
import { dropboxScheme } from './dropbox.js';
import { githubScheme } from './github.js';
import { gitlabScheme } from './gitlab.js';
import { hmacScheme } from './hmac.js';
import { hubspotScheme } from './hubspot.js';
import { intercomScheme } from './intercom.js';
import { jwtScheme } from './jwt.js';
import { linearScheme } from './linear.js';
import { mailgunScheme } from './mailgun.js';
import { metaScheme } from './meta.js';
import { msGraphScheme } from './ms-graph.js';
import { noneScheme } from './none.js';
import { oktaScheme } from './okta.js';
import { paddleScheme } from './paddle.js';
import { pagerdutyScheme } from './pagerduty.js';
import { postmarkScheme } from './postmark.js';
import type { SchemeConfig, SchemeDefinition } from './scheme.js';
import { sendgridScheme } from './sendgrid.js';
import { sentryScheme } from './sentry.js';
import { shopifyScheme } from './shopify.js';
import { slackScheme } from './slack.js';
import { snsScheme } from './sns.js';
import { squareScheme } from './square.js';
import { standardWebhooksScheme } from './standard-webhooks.js';
import { stripeScheme } from './stripe.js';
import { telegramScheme } from './telegram.js';
import { twilioScheme } from './twilio.js';
import { twitchScheme } from './twitch.js';
import { typeformScheme } from './typeform.js';
import { vercelScheme } from './vercel.js';
import { workosScheme } from './workos.js';
import { xScheme } from './x.js';
import { zoomScheme } from './zoom.js';

const SCHEMES: { readonly [S in VerifyScheme]: SchemeDefinition<S> } = {
  github: githubScheme,
  stripe: stripeScheme,
  standardWebhooks: standardWebhooksScheme,
  slack: slackScheme,
  shopify: shopifyScheme,
  hmac: hmacScheme,
  jwt: jwtScheme,
  gitlab: gitlabScheme,
  bitbucket: bitbucketScheme,
  meta: metaScheme,
  x: xScheme,
  intercom: intercomScheme,
  vercel: vercelScheme,
  typeform: typeformScheme,
  mailgun: mailgunScheme,
  postmark: postmarkScheme,
  msGraph: msGraphScheme,
  dropbox: dropboxScheme,
  okta: oktaScheme,
  asana: asanaScheme,
  telegram: telegramScheme,
  pagerduty: pagerdutyScheme,
  sentry: sentryScheme,
  twilio: twilioScheme,
  square: squareScheme,
  hubspot: hubspotScheme,
  contentful: contentfulScheme,
  paddle: paddleScheme,
  zoom: zoomScheme,
  twitch: twitchScheme,
  linear: linearScheme,
  workos: workosScheme,
  discord: discordScheme,
  sendgrid: sendgridScheme,
  sns: snsScheme,
  none: noneScheme,
};

/** The definition of the scheme `options` names, typed for those options. */
export function schemeOf<S extends VerifyScheme>(options: SchemeConfig<S>): SchemeDefinition<S> {
  const definition = SCHEMES[options.scheme as S] as SchemeDefinition<S> | undefined;
  // A scheme outside the union can only come from a config that skipped validation.
  if (definition === undefined) throw new TypeError(`unknown verify scheme: ${String(options.scheme)}`);
  return definition;
}

/** The definition of the scheme named `name`. */
export function schemeNamed(name: VerifyScheme): SchemeDefinition<VerifyScheme> {
  return SCHEMES[name] as SchemeDefinition<VerifyScheme>;
}
