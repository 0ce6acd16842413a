import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretReference } from '../config/types.js';
import {
  parseSecretValues,
  SecretNotSetError,
  type SecretResolver,
  SecretUnavailableError,
} from './resolver.js';

interface CachedSecret {
  readonly values: readonly string[];
  readonly fetchedAt: number;
}

/**
 * Deployed secrets from AWS Secrets Manager, cached per container for `ttlSeconds`. When a refresh
 * fails, the last known values keep serving (rotation keeps old values valid for a while); with
 * nothing cached the error surfaces so the request is answered 503 and the provider retries.
 */
export class SecretsManagerResolver implements SecretResolver {
  private readonly cache = new Map<string, CachedSecret>();
  private readonly client: Pick<SecretsManagerClient, 'send'>;
  private readonly secretId: string;
  private readonly otherSecretIds: Readonly<Record<string, string>>;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: {
    client: Pick<SecretsManagerClient, 'send'>;
    /** ARN or name of the route's `verify.secret`. */
    secretId: string;
    /** ARNs of the other secrets the route's options name, by their `name` (Meta's `verifyToken`). */
    otherSecretIds?: Readonly<Record<string, string>>;
    ttlSeconds?: number;
    now?: () => number;
  }) {
    this.client = options.client;
    this.secretId = options.secretId;
    this.otherSecretIds = options.otherSecretIds ?? {};
    this.ttlMs = (options.ttlSeconds ?? 300) * 1000;
    this.now = options.now ?? Date.now;
  }

  async resolve(reference: SecretReference): Promise<readonly string[]> {
    const secretId = this.idOf(reference);
    const cached = this.cache.get(secretId);
    if (cached !== undefined && this.now() - cached.fetchedAt < this.ttlMs) return cached.values;
    try {
      const output = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
      const values = parseSecretValues(output.SecretString ?? '');
      if (values.length === 0) throw new SecretNotSetError(`secret ${secretId} has no value`);
      this.cache.set(secretId, { values, fetchedAt: this.now() });
      return values;
    } catch (error: unknown) {
      if (cached !== undefined) return cached.values;
      if (error instanceof SecretUnavailableError) throw error;
      throw new SecretUnavailableError(`could not read secret ${secretId}`, { cause: error });
    }
  }

  async store(reference: SecretReference, value: string): Promise<void> {
    const secretId = this.idOf(reference);
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
    } catch (error: unknown) {
      throw new SecretUnavailableError(`could not store secret ${secretId}`, { cause: error });
    }
    this.cache.set(secretId, { values: parseSecretValues(value), fetchedAt: this.now() });
  }

  /** The route's own secret is the only one without an entry of its own: one secret per ingress. */
  private idOf(reference: SecretReference): string {
    return this.otherSecretIds[reference.name] ?? this.secretId;
  }
}
