/**
 * Where the local stack reads route secrets: the environment first, then the env file; without
 * one, the `.env.example` next to it (the dev defaults shipped with the repo, so a fresh clone
 * works) and a notice saying so.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { handshakeStoresSecret, otherSecrets, verifySecret } from '../config/scheme-needs.js';
import type { ResolvedRoute } from '../config/types.js';
import { EnvSecretResolver } from '../secrets/env-resolver.js';
import { secretEnvName } from '../secrets/resolver.js';
import type { Notice } from './startup.js';

const DEFAULT_ENV_FILE = '.env';
const EXAMPLE_ENV_FILE = '.env.example';

/** `envFile` defaults to `.env` in the working directory. */
export function devSecretResolver(
  envFile: string | undefined,
  env: NodeJS.ProcessEnv,
  notice: Notice,
): EnvSecretResolver {
  const file = resolve(envFile ?? DEFAULT_ENV_FILE);
  if (existsSync(file)) return new EnvSecretResolver({ env, envFile: file });
  const example = join(dirname(file), EXAMPLE_ENV_FILE);
  if (existsSync(example)) {
    notice(
      'info',
      `no ${relative(process.cwd(), file) || file}: using the dev secrets in ${relative(process.cwd(), example) || example} (copy it to .env to change them)`,
    );
    // A secret a handshake hands over goes to the project's own .env, never into the example.
    return new EnvSecretResolver({ env, envFile: example, storeFile: file });
  }
  return new EnvSecretResolver({ env });
}

/** A warning per route whose secret cannot be resolved (the ingress answers its requests 503). */
export async function warnMissingSecrets(
  routes: readonly ResolvedRoute[],
  secrets: EnvSecretResolver,
  notice: Notice,
): Promise<void> {
  for (const route of routes) {
    const signing = verifySecret(route.verify);
    for (const reference of [...(signing === undefined ? [] : [signing]), ...otherSecrets(route.verify)]) {
      try {
        await secrets.resolve(reference);
      } catch {
        notice(
          'warn',
          reference === signing && handshakeStoresSecret(route.verify)
            ? `route ${route.path} waits for its provider's handshake to hand over its signing key (kept as ${secretEnvName(reference.name)} in .env)`
            : `route ${route.path} has no secret ${reference.name}: set ${secretEnvName(reference.name)} in the environment or .env (until then its requests are answered 503)`,
        );
      }
    }
  }
}
