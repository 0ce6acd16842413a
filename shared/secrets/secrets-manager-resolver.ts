import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretReference } from '../config/types.js';
import { parseSecretValues, type SecretResolver, SecretUnavailableError } from './resolver.js';

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
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: {
    client: Pick<SecretsManagerClient, 'send'>;
    /** ARN or name of the route's secret (one secret per route). */
    secretId: string;
    ttlSeconds?: number;
    now?: () => number;
  }) {
    this.client = options.client;
    this.secretId = options.secretId;
    this.ttlMs = (options.ttlSeconds ?? 300) * 1000;
    this.now = options.now ?? Date.now;
  }

  async resolve(_reference: SecretReference): Promise<readonly string[]> {
    const cached = this.cache.get(this.secretId);
    if (cached !== undefined && this.now() - cached.fetchedAt < this.ttlMs) return cached.values;
    try {
      const output = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
      const values = parseSecretValues(output.SecretString ?? '');
      if (values.length === 0) throw new SecretUnavailableError(`secret ${this.secretId} has no value`);
      this.cache.set(this.secretId, { values, fetchedAt: this.now() });
      return values;
    } catch (error: unknown) {
      if (cached !== undefined) return cached.values;
      if (error instanceof SecretUnavailableError) throw error;
      throw new SecretUnavailableError(`could not read secret ${this.secretId}`, { cause: error });
    }
  }
}
