/**
 * Typeform `form_response`: a submitted response with its form definition and answers. The signer
 * adds `typeform-signature`.
 */
import type { WebhookSample } from './sample.js';
import { hexId, isoSeconds, jsonSample, secondsBefore } from './sample-builders.js';

const FORM_ID = 'lT4Z3j';
const NAME_FIELD = {
  id: 'JwWggjAKtOkA',
  ref: 'customer_name',
  type: 'short_text',
  title: 'What is your name?',
};
const SCORE_FIELD = {
  id: 'Q7M2kvgHfvz2',
  ref: 'nps_score',
  type: 'opinion_scale',
  title: 'How likely are you to recommend us?',
};

const formResponse = jsonSample({
  name: 'typeform.form_response',
  description: 'Typeform form_response: a two-question form submitted',
  scheme: 'typeform',
  eventType: 'form_response',
  headers: () => ({ 'user-agent': 'Typeform Webhooks' }),
  payload: (context) => ({
    event_id: hexId(context, 'typeform.event', 26).toUpperCase(),
    event_type: 'form_response',
    form_response: {
      form_id: FORM_ID,
      token: hexId(context, 'typeform.token', 32),
      landed_at: isoSeconds(secondsBefore(context.now, 45)),
      submitted_at: isoSeconds(context.now),
      definition: { id: FORM_ID, title: 'Customer feedback', fields: [NAME_FIELD, SCORE_FIELD] },
      answers: [
        {
          type: 'text',
          text: 'Laura',
          field: { id: NAME_FIELD.id, type: NAME_FIELD.type, ref: NAME_FIELD.ref },
        },
        {
          type: 'number',
          number: 9,
          field: { id: SCORE_FIELD.id, type: SCORE_FIELD.type, ref: SCORE_FIELD.ref },
        },
      ],
      ending: { id: 'DefaultTyScreen', ref: 'default_tys' },
    },
  }),
});

/** Typeform's sample: `typeform.form_response`. */
export const typeformSamples: readonly WebhookSample[] = [formResponse];
