/**
 * Every signature scheme a route's `verify.scheme` may name, by that name. A scheme missing here is
 * a type error: the map is keyed by the config's own union of scheme names.
 *
 * A route's ingress bundle holds one scheme only: infra builds it with esbuild's `define` setting
 * `HOOKLINE_BUNDLED_SCHEME` to the route's scheme name, so each entry below but that scheme's folds
 * to `undefined` (minified builds only) and the other scheme modules, `jose` with `jwt`, are left
 * out. Everywhere else (tests, the local stack, the CLI, `hookline/verify`) the identifier is not
 * defined and the registry holds every scheme. Each entry repeats the test because esbuild replaces
 * the identifier itself, never a variable holding it. An import left unused still brings a module's
 * top-level calls (`const fail = failureOf('gitlab')`) unless the module is declared free of side
 * effects: ./package.json does that for shared/verify/, whose modules only declare.
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

/** The scheme a route's ingress bundle is built for (esbuild `define`); not defined anywhere else. */
declare const HOOKLINE_BUNDLED_SCHEME: VerifyScheme;

const SCHEMES: { readonly [S in VerifyScheme]: SchemeDefinition<S> | undefined } = {
  github:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'github'
      ? githubScheme
      : undefined,
  stripe:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'stripe'
      ? stripeScheme
      : undefined,
  standardWebhooks:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'standardWebhooks'
      ? standardWebhooksScheme
      : undefined,
  slack:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'slack'
      ? slackScheme
      : undefined,
  shopify:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'shopify'
      ? shopifyScheme
      : undefined,
  hmac:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'hmac'
      ? hmacScheme
      : undefined,
  jwt:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'jwt'
      ? jwtScheme
      : undefined,
  gitlab:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'gitlab'
      ? gitlabScheme
      : undefined,
  bitbucket:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'bitbucket'
      ? bitbucketScheme
      : undefined,
  meta:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'meta'
      ? metaScheme
      : undefined,
  x: typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'x' ? xScheme : undefined,
  intercom:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'intercom'
      ? intercomScheme
      : undefined,
  vercel:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'vercel'
      ? vercelScheme
      : undefined,
  typeform:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'typeform'
      ? typeformScheme
      : undefined,
  mailgun:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'mailgun'
      ? mailgunScheme
      : undefined,
  postmark:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'postmark'
      ? postmarkScheme
      : undefined,
  msGraph:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'msGraph'
      ? msGraphScheme
      : undefined,
  dropbox:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'dropbox'
      ? dropboxScheme
      : undefined,
  okta:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'okta'
      ? oktaScheme
      : undefined,
  asana:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'asana'
      ? asanaScheme
      : undefined,
  telegram:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'telegram'
      ? telegramScheme
      : undefined,
  pagerduty:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'pagerduty'
      ? pagerdutyScheme
      : undefined,
  sentry:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'sentry'
      ? sentryScheme
      : undefined,
  twilio:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'twilio'
      ? twilioScheme
      : undefined,
  square:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'square'
      ? squareScheme
      : undefined,
  hubspot:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'hubspot'
      ? hubspotScheme
      : undefined,
  contentful:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'contentful'
      ? contentfulScheme
      : undefined,
  paddle:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'paddle'
      ? paddleScheme
      : undefined,
  zoom:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'zoom'
      ? zoomScheme
      : undefined,
  twitch:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'twitch'
      ? twitchScheme
      : undefined,
  linear:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'linear'
      ? linearScheme
      : undefined,
  workos:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'workos'
      ? workosScheme
      : undefined,
  discord:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'discord'
      ? discordScheme
      : undefined,
  sendgrid:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'sendgrid'
      ? sendgridScheme
      : undefined,
  sns:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'sns'
      ? snsScheme
      : undefined,
  none:
    typeof HOOKLINE_BUNDLED_SCHEME === 'undefined' || HOOKLINE_BUNDLED_SCHEME === 'none'
      ? noneScheme
      : undefined,
};

/** The definition of the scheme `options` names, typed for those options. */
export function schemeOf<S extends VerifyScheme>(options: SchemeConfig<S>): SchemeDefinition<S> {
  return definitionOf(options.scheme as S);
}

/** The definition of the scheme named `name`. */
export function schemeNamed(name: VerifyScheme): SchemeDefinition<VerifyScheme> {
  return definitionOf(name) as SchemeDefinition<VerifyScheme>;
}

/**
 * Throws for a scheme outside the union (a config that skipped validation) and, in a route's
 * ingress bundle, for every scheme but the one it was built for: a request is never checked
 * against nothing.
 */
function definitionOf<S extends VerifyScheme>(name: S): SchemeDefinition<S> {
  const definition: SchemeDefinition<S> | undefined = SCHEMES[name];
  if (definition !== undefined) return definition;
  if (typeof HOOKLINE_BUNDLED_SCHEME !== 'undefined' && Object.hasOwn(SCHEMES, name)) {
    throw new TypeError(
      `verify scheme ${name} is not in this bundle, which holds ${HOOKLINE_BUNDLED_SCHEME} only: ` +
        "rebuild the route's ingress",
    );
  }
  throw new TypeError(`unknown verify scheme: ${String(name)}`);
}
