import type { SecretReference } from '../config/types.js';
import { HooklineError } from '../errors.js';

/** Where verification secrets come from: Secrets Manager deployed, the environment locally. */
export interface SecretResolver {
  /** Every current value of the secret (several during rotation). Throws SecretUnavailableError. */
  resolve(reference: SecretReference): Promise<readonly string[]>;
  /** Replaces the secret's value (Asana hands its signing key over in its handshake); read-only without. */
  store?(reference: SecretReference, value: string): Promise<void>;
}

export class SecretUnavailableError extends HooklineError<'secret_unavailable'> {
  override name = 'SecretUnavailableError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('secret_unavailable', message, options);
  }
}

/** The secret exists but holds no value yet: readable, and empty. */
export class SecretNotSetError extends SecretUnavailableError {
  override name = 'SecretNotSetError';
}

/**
 * A secret's text is one value, or a JSON array of strings for rotation (`["new", "old"]`): any
 * value that matches passes. Plain text is taken whole (secrets may contain spaces); empty values
 * are dropped.
 */
export function parseSecretValues(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const values: unknown = JSON.parse(trimmed);
      if (Array.isArray(values) && values.every((value) => typeof value === 'string')) {
        return values.filter((value) => value.length > 0);
      }
    } catch {
      // Not JSON after all: the whole text is the secret.
    }
  }
  return trimmed === '' ? [] : [trimmed];
}

/** The environment variable that holds a secret locally: `github/webhook` → `GITHUB_WEBHOOK`. */
export function secretEnvName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase();
}
