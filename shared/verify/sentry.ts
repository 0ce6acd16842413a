import { bodySignature, hexSha256BodyFormat, verifyBodySignature } from './body-signature.js';
import { isJsonObject, parseJson, stringAt } from './payload.js';
import type { DeliveryView, SchemeConfig, SchemeDefinition } from './scheme.js';
import { unixSeconds } from './timestamp.js';
import type { VerificationInput, VerificationResult } from './types.js';

const SIGNATURE_HEADER = 'sentry-hook-signature';
const SENTRY_SIGNATURE = hexSha256BodyFormat(SIGNATURE_HEADER);
const RESOURCE_HEADER = 'sentry-hook-resource';

/** The `Sentry-Hook-Resource` of a payload, from the `data` member each resource's payload has. */
const RESOURCE_OF_DATA_KEY: Readonly<Record<string, string>> = {
  installation: 'installation',
  issue: 'issue',
  error: 'error',
  comment: 'comment',
  event: 'event_alert',
  metric_alert: 'metric_alert',
};

/**
 * Verifies a Sentry integration webhook: `Sentry-Hook-Signature` is the hex HMAC-SHA256 of the raw
 * body with the integration's Client Secret. Sentry also sends `Sentry-Hook-Timestamp`, but it is
 * not part of the signed content, so it is not checked: anyone replaying a captured request could
 * set it to now, and checking it would only reject honest retries.
 */
export function verifySentry(input: VerificationInput, _options: SchemeConfig<'sentry'>): VerificationResult {
  return verifyBodySignature('sentry', input, SENTRY_SIGNATURE);
}

/** `resource.action` (`issue.created`), or the resource alone when the body has no `action`. */
function sentryEventType({ headers, payload }: DeliveryView): string | undefined {
  const resource = headers[RESOURCE_HEADER];
  if (resource === undefined || resource === '') return undefined;
  const action = stringAt(payload, 'action');
  return action === undefined ? resource : `${resource}.${action}`;
}

/** The resource Sentry names in its headers for `body`, when the body's `data` tells. */
function resourceOf(body: string): string | undefined {
  const data = (parseJson(body) as { data?: unknown } | undefined)?.data;
  if (!isJsonObject(data)) return undefined;
  return Object.keys(data)
    .map((key) => RESOURCE_OF_DATA_KEY[key])
    .find((resource) => resource !== undefined);
}

export const sentryScheme: SchemeDefinition<'sentry'> = {
  verify: verifySentry,
  sign: (request) => {
    const resource = resourceOf(request.body);
    return {
      headers: {
        'request-id': request.deliveryId,
        'sentry-hook-timestamp': String(unixSeconds(request.now)),
        [SIGNATURE_HEADER]: bodySignature(SENTRY_SIGNATURE, request.secret, request.body),
        ...(resource === undefined ? {} : { [RESOURCE_HEADER]: resource }),
      },
    };
  },
  // Request-ID is the same on Sentry's retries of a delivery.
  deliveryId: ({ headers }) => headers['request-id'],
  eventType: sentryEventType,
};
