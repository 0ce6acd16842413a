/**
 * Which envelopes the handler runtime acts on: those the ingress or a replay signed with the stack's
 * envelope key, and v1 envelopes of the release before signing, rebuilt from the event's record
 * rather than trusted (docs/architecture.md, "Envelope"). Anything else is an EnvelopeError the
 * runtime sends to the DLQ without running the handler or writing the event's state.
 */
import { type Envelope, EnvelopeError, toEnvelope } from '../envelope.js';
import { checkEnvelopeSignature } from '../envelope-signature.js';
import type { EventStore } from '../event-store/event-store.js';
import type { EventStatus } from '../event-store/types.js';

/** Statuses of an event whose message may still be on its way: a v1 message of it is its own. */
const IN_FLIGHT: ReadonlySet<EventStatus> = new Set(['queued', 'processing', 'retrying']);

/**
 * Synchronously (the batch claims event ids in order): the EnvelopeError that makes a v2 envelope
 * untrusted, or undefined when it is signed with one of `keys` or is a v1 envelope (`fromRecord`).
 */
export function signatureProblem(envelope: Envelope, keys: readonly string[]): EnvelopeError | undefined {
  if (envelope.v === 1) return undefined;
  switch (checkEnvelopeSignature(envelope, keys)) {
    case 'valid':
      return undefined;
    case 'unsigned':
      return new EnvelopeError('envelope_unsigned', 'the envelope carries no signature');
    case 'forged':
      return new EnvelopeError('envelope_forged', 'the envelope signature matches no envelope key');
  }
}

/**
 * The envelope to run a v1 (unsigned) message as: its event's record, which only the ingress and
 * replays write, made into an envelope, so the message contributes nothing but the event id. Only an
 * event still in flight is taken; a v1 copy of a settled or dead-lettered event (re-run those with a
 * replay) or of an unknown one is `envelope_unsigned`.
 */
export async function fromRecord(
  envelope: Envelope,
  store: Pick<EventStore, 'getEvent'>,
): Promise<Envelope | EnvelopeError> {
  const record = await store.getEvent(envelope.id);
  if (record === undefined || record.route !== envelope.route) {
    return new EnvelopeError(
      'envelope_unsigned',
      `unsigned v1 envelope of no event ${envelope.id} on ${envelope.route}`,
    );
  }
  if (!IN_FLIGHT.has(record.status)) {
    return new EnvelopeError(
      'envelope_unsigned',
      `unsigned v1 envelope of event ${record.id}, which is ${record.status}: replay the event to run it again`,
    );
  }
  return toEnvelope(record);
}
