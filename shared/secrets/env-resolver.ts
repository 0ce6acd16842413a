import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { SecretReference } from '../config/types.js';
import { parseSecretValues, type SecretResolver, SecretUnavailableError, secretEnvName } from './resolver.js';

/**
 * Local secrets: `process.env` first, then an optional `.env` file read once at construction.
 * The variable name is the secret name upper-cased with other characters turned into `_`.
 */
export class EnvSecretResolver implements SecretResolver {
  private readonly values: Readonly<Record<string, string | undefined>>;

  constructor(options: { env?: NodeJS.ProcessEnv; envFile?: string } = {}) {
    const fromFile =
      options.envFile !== undefined && existsSync(options.envFile)
        ? parseEnv(readFileSync(options.envFile, 'utf8'))
        : {};
    this.values = { ...fromFile, ...(options.env ?? process.env) };
  }

  async resolve(reference: SecretReference): Promise<readonly string[]> {
    const variable = secretEnvName(reference.name);
    const values = parseSecretValues(this.values[variable] ?? '');
    if (values.length === 0) {
      throw new SecretUnavailableError(
        `secret "${reference.name}" is not set: define ${variable} in the environment or .env`,
      );
    }
    return values;
  }
}
