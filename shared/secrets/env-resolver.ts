import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { SecretReference } from '../config/types.js';
import { parseSecretValues, SecretNotSetError, type SecretResolver, secretEnvName } from './resolver.js';

/**
 * Local secrets: `process.env` first, then an optional `.env` file read once at construction.
 * The variable name is the secret name upper-cased with other characters turned into `_`.
 */
export class EnvSecretResolver implements SecretResolver {
  private readonly values: Record<string, string | undefined>;
  private readonly storeFile: string | undefined;

  /** `storeFile` is where `store` appends a value. @default `envFile` */
  constructor(options: { env?: NodeJS.ProcessEnv; envFile?: string; storeFile?: string } = {}) {
    const fromFile =
      options.envFile !== undefined && existsSync(options.envFile)
        ? parseEnv(readFileSync(options.envFile, 'utf8'))
        : {};
    this.values = { ...fromFile, ...(options.env ?? process.env) };
    this.storeFile = options.storeFile ?? options.envFile;
  }

  async resolve(reference: SecretReference): Promise<readonly string[]> {
    const variable = secretEnvName(reference.name);
    const values = parseSecretValues(this.values[variable] ?? '');
    if (values.length === 0) {
      throw new SecretNotSetError(
        `secret "${reference.name}" is not set: define ${variable} in the environment or .env`,
      );
    }
    return values;
  }

  /** Keeps the value for this process and, with a store file, appends it there for the next start. */
  async store(reference: SecretReference, value: string): Promise<void> {
    const variable = secretEnvName(reference.name);
    this.values[variable] = value;
    if (this.storeFile !== undefined)
      appendFileSync(this.storeFile, `\n${variable}=${JSON.stringify(value)}\n`);
  }
}
