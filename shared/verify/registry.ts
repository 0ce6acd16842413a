/**
 * Every signature scheme a route's `verify.scheme` may name, by that name. A scheme missing here is
 * a type error: the map is keyed by the config's own union of scheme names.
 */
import type { VerifyScheme } from '../config/types.js';
import { githubScheme } from './github.js';
import { hmacScheme } from './hmac.js';
import { jwtScheme } from './jwt.js';
import { noneScheme } from './none.js';
import type { SchemeConfig, SchemeDefinition } from './scheme.js';
import { shopifyScheme } from './shopify.js';
import { slackScheme } from './slack.js';
import { standardWebhooksScheme } from './standard-webhooks.js';
import { stripeScheme } from './stripe.js';

const SCHEMES: { readonly [S in VerifyScheme]: SchemeDefinition<S> } = {
  github: githubScheme,
  stripe: stripeScheme,
  standardWebhooks: standardWebhooksScheme,
  slack: slackScheme,
  shopify: shopifyScheme,
  hmac: hmacScheme,
  jwt: jwtScheme,
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
