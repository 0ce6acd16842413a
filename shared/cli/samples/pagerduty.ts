/**
 * PagerDuty v3 webhook: `incident.triggered`. The signer adds `x-pagerduty-signature` and
 * `x-webhook-id`.
 */
import type { WebhookSample } from './sample.js';
import { hexId, jsonSample, numericId, uuidId } from './sample-builders.js';

const SUBDOMAIN = 'https://acme.pagerduty.com';
const API = 'https://api.pagerduty.com';

/** A PagerDuty object reference (`service_reference`, `escalation_policy_reference`…). */
function reference(type: string, id: string, path: string, summary: string) {
  return {
    html_url: `${SUBDOMAIN}/${path}/${id}`,
    id,
    self: `${API}/${path}/${id}`,
    summary,
    type: `${type}_reference`,
  };
}

const incidentTriggered = jsonSample({
  name: 'pagerduty.incident.triggered',
  description: 'PagerDuty incident.triggered: a high-urgency incident opened',
  scheme: 'pagerduty',
  eventType: 'incident.triggered',
  headers: () => ({ 'x-webhook-subscription': 'PY1OQ1R', 'user-agent': 'PagerDuty-Webhook/V3.0' }),
  payload: (context) => {
    const incidentId = `Q${hexId(context, 'pagerduty.incident', 13).toUpperCase()}`;
    const occurredAt = context.now.toISOString();
    return {
      event: {
        id: uuidId(context, 'pagerduty.event'),
        event_type: 'incident.triggered',
        resource_type: 'incident',
        occurred_at: occurredAt,
        agent: null,
        client: null,
        data: {
          id: incidentId,
          type: 'incident',
          self: `${API}/incidents/${incidentId}`,
          html_url: `${SUBDOMAIN}/incidents/${incidentId}`,
          number: numericId(context, 'pagerduty.number', 4),
          status: 'triggered',
          incident_key: hexId(context, 'pagerduty.key', 32),
          created_at: occurredAt,
          title: 'The server is on fire.',
          service: reference('service', 'PF9KMXH', 'services', 'API Service'),
          assignees: [reference('user', 'PTUXL6G', 'users', 'User 123')],
          escalation_policy: reference('escalation_policy', 'PUS0KTE', 'escalation_policies', 'Default'),
          teams: [],
          priority: null,
          urgency: 'high',
          conference_bridge: null,
          resolve_reason: null,
        },
      },
    };
  },
});

/** PagerDuty's sample: `pagerduty.incident.triggered`. */
export const pagerdutySamples: readonly WebhookSample[] = [incidentTriggered];
