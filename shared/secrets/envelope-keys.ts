/**
 * The stack's envelope keys (`envelope-signature.ts`): deployed, one Secrets Manager secret the stack
 * creates, named to the functions by HOOKLINE_ENVELOPE_KEY_ARN; locally, HOOKLINE_ENVELOPE_KEY or a
 * fixed development key. Like a route secret, its text is one key or a JSON array of keys during a
 * rotation (`["new", "old"]`): the first signs, any of them verifies.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AWS_CLIENT_DEFAULTS } from '../aws-client-defaults.js';
import { optionalNumberEnv } from '../env.js';
import { ENV } from '../env-names.js';
import { EnvSecretResolver } from './env-resolver.js';
import { type SecretResolver, SecretUnavailableError } from './resolver.js';
import { SecretsManagerResolver } from './secrets-manager-resolver.js';

/** The current envelope keys, first the one to sign with. Throws SecretUnavailableError. */
export type EnvelopeKeys = () => Promise<readonly string[]>;

/** The variable that holds the envelope key outside AWS (also what the local `.env` may set). */
export const ENVELOPE_KEY_VARIABLE = 'HOOKLINE_ENVELOPE_KEY';

/**
 * What the local stack and local workers sign and verify with when HOOKLINE_ENVELOPE_KEY is unset. It
 * is no secret: on one machine the emulated queues are open to its users anyway.
 */
export const LOCAL_ENVELOPE_KEY = 'hookline-local-envelope-key';

/** The envelope keys a resolver holds under HOOKLINE_ENVELOPE_KEY. */
export function envelopeKeysOf(resolver: SecretResolver): EnvelopeKeys {
  return () => resolver.resolve({ name: ENVELOPE_KEY_VARIABLE });
}

/** Local keys: HOOKLINE_ENVELOPE_KEY as `secrets` resolve it (the environment, .env), else LOCAL_ENVELOPE_KEY. */
export function localEnvelopeKeys(secrets: SecretResolver): EnvelopeKeys {
  const keys = envelopeKeysOf(secrets);
  return async () => {
    try {
      return await keys();
    } catch (error: unknown) {
      if (error instanceof SecretUnavailableError) return [LOCAL_ENVELOPE_KEY];
      throw error;
    }
  };
}

/**
 * Deployed keys: the secret named by HOOKLINE_ENVELOPE_KEY_ARN (cached like route secrets), else
 * HOOKLINE_ENVELOPE_KEY itself.
 * @throws SecretUnavailableError when the environment names neither.
 */
export function deployedEnvelopeKeys(env: NodeJS.ProcessEnv = process.env): EnvelopeKeys {
  const arn = env[ENV.envelopeKeyArn];
  if (arn !== undefined && arn !== '') {
    return envelopeKeysOf(
      new SecretsManagerResolver({
        client: new SecretsManagerClient(AWS_CLIENT_DEFAULTS),
        secretId: arn,
        ttlSeconds: optionalNumberEnv(ENV.secretTtlSeconds, 300, env),
      }),
    );
  }
  if ((env[ENVELOPE_KEY_VARIABLE] ?? '') !== '') return envelopeKeysOf(new EnvSecretResolver({ env }));
  throw new SecretUnavailableError(
    `no envelope key: set ${ENV.envelopeKeyArn} to the stack's envelope key secret (stack output ` +
      `EnvelopeKeyArn), or ${ENVELOPE_KEY_VARIABLE} to the key itself`,
  );
}
