import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvSecretResolver } from '../../../shared/secrets/env-resolver.js';
import {
  parseSecretValues,
  SecretNotSetError,
  SecretUnavailableError,
  secretEnvName,
} from '../../../shared/secrets/resolver.js';
import { SecretsManagerResolver } from '../../../shared/secrets/secrets-manager-resolver.js';

const REFERENCE = { name: 'github/webhook' };
const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hookline/github-AbCdEf';

async function rejectionOf(promise: Promise<unknown>): Promise<SecretUnavailableError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof SecretUnavailableError) return error;
    throw error;
  }
  throw new Error('expected a SecretUnavailableError');
}

describe('parseSecretValues()', () => {
  it.each([
    { text: 'whsec_abc', values: ['whsec_abc'] },
    { text: '  whsec_abc \n', values: ['whsec_abc'] },
    { text: 'pass phrase with spaces', values: ['pass phrase with spaces'] },
    { text: 'a,b', values: ['a,b'] },
    { text: '["new","old"]', values: ['new', 'old'] },
    { text: ' ["new", "", "old"] ', values: ['new', 'old'] },
    { text: '["with space"]', values: ['with space'] },
    { text: '[]', values: [] },
    { text: '', values: [] },
    { text: ' \n\t ', values: [] },
    { text: '[1,2]', values: ['[1,2]'] },
    { text: '["a",1]', values: ['["a",1]'] },
    { text: '[not json', values: ['[not json'] },
    { text: '{"a":"b"}', values: ['{"a":"b"}'] },
  ])('reads $text as $values', ({ text, values }) => {
    expect(parseSecretValues(text)).toEqual(values);
  });

  it('never returns an empty value', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(fc.string()).map((values) => JSON.stringify(values)),
        ),
        (text) => {
          expect(parseSecretValues(text).every((value) => value.length > 0)).toBe(true);
        },
      ),
    );
  });

  it('returns the non-empty values of any JSON array of strings, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), (values) => {
        expect(parseSecretValues(JSON.stringify(values))).toEqual(values.filter((value) => value.length > 0));
      }),
    );
  });

  it('takes any other text whole, trimmed', () => {
    const text = fc
      .string({ minLength: 1 })
      .filter((value) => !value.trim().startsWith('[') && value.trim() !== '');
    fc.assert(
      fc.property(text, (value) => {
        expect(parseSecretValues(value)).toEqual([value.trim()]);
      }),
    );
  });
});

describe('secretEnvName()', () => {
  it.each([
    ['github/webhook', 'GITHUB_WEBHOOK'],
    ['GITHUB_WEBHOOK_SECRET', 'GITHUB_WEBHOOK_SECRET'],
    ['prod/stripe-hooks.v2', 'PROD_STRIPE_HOOKS_V2'],
    ['a+b=c@d', 'A_B_C_D'],
  ])('maps %j to %j', (name, variable) => {
    expect(secretEnvName(name)).toBe(variable);
  });

  it('always gives a valid environment variable name', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9/_+=.@-]{1,40}$/), (name) => {
        expect(secretEnvName(name)).toMatch(/^[A-Z0-9_]+$/);
      }),
    );
  });
});

describe('EnvSecretResolver', () => {
  let folder = '';

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'hookline-secrets-'));
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  function envFile(name: string, text: string): string {
    const file = join(folder, name);
    writeFileSync(file, text);
    return file;
  }

  it('reads the value from the variable named after the secret', async () => {
    // Arrange
    const resolver = new EnvSecretResolver({ env: { GITHUB_WEBHOOK: 'gh-secret' } });

    // Act
    const values = await resolver.resolve(REFERENCE);

    // Assert
    expect(values).toEqual(['gh-secret']);
  });

  it('returns every rotation value', async () => {
    const resolver = new EnvSecretResolver({ env: { GITHUB_WEBHOOK: '["new","old"]' } });

    expect(await resolver.resolve(REFERENCE)).toEqual(['new', 'old']);
  });

  it('reads a .env file', async () => {
    const file = envFile('read.env', '# local secrets\nGITHUB_WEBHOOK="from file"\nOTHER=x\n');
    const resolver = new EnvSecretResolver({ env: {}, envFile: file });

    expect(await resolver.resolve(REFERENCE)).toEqual(['from file']);
  });

  it('lets the environment override the .env file', async () => {
    const file = envFile('override.env', 'GITHUB_WEBHOOK=from-file\nSTRIPE_SECRET=stripe-from-file\n');
    const resolver = new EnvSecretResolver({ env: { GITHUB_WEBHOOK: 'from-env' }, envFile: file });

    expect(await resolver.resolve(REFERENCE)).toEqual(['from-env']);
    expect(await resolver.resolve({ name: 'STRIPE_SECRET' })).toEqual(['stripe-from-file']);
  });

  it('ignores a .env file that does not exist', async () => {
    const resolver = new EnvSecretResolver({
      env: { GITHUB_WEBHOOK: 'x' },
      envFile: join(folder, 'missing.env'),
    });

    expect(await resolver.resolve(REFERENCE)).toEqual(['x']);
  });

  it('reads the .env file once, at construction', async () => {
    const file = envFile('once.env', 'GITHUB_WEBHOOK=first\n');
    const resolver = new EnvSecretResolver({ env: {}, envFile: file });
    writeFileSync(file, 'GITHUB_WEBHOOK=second\n');

    expect(await resolver.resolve(REFERENCE)).toEqual(['first']);
  });

  it.each([
    { name: 'missing', env: {} },
    { name: 'empty', env: { GITHUB_WEBHOOK: '' } },
    { name: 'blank', env: { GITHUB_WEBHOOK: '  ' } },
    { name: 'an empty JSON array', env: { GITHUB_WEBHOOK: '[]' } },
  ])('fails with SecretUnavailableError naming the variable when it is $name', async ({ env }) => {
    const resolver = new EnvSecretResolver({ env });

    const error = await rejectionOf(resolver.resolve(REFERENCE));

    expect(error.code).toBe('secret_unavailable');
    expect(error).toBeInstanceOf(SecretNotSetError);
    expect(error.message).toBe(
      'secret "github/webhook" is not set: define GITHUB_WEBHOOK in the environment or .env',
    );
  });

  it('stores a value for this process and appends it to the .env file for the next start', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hookline-store-'));
    try {
      const envFile = join(folder, '.env');
      writeFileSync(envFile, 'OTHER=1\n');
      const resolver = new EnvSecretResolver({ env: {}, envFile });

      await resolver.store(REFERENCE, 'asana-secret-1');

      expect(await resolver.resolve(REFERENCE)).toEqual(['asana-secret-1']);
      expect(readFileSync(envFile, 'utf8')).toContain('GITHUB_WEBHOOK="asana-secret-1"');
      expect(await new EnvSecretResolver({ env: {}, envFile }).resolve(REFERENCE)).toEqual([
        'asana-secret-1',
      ]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

/** A Secrets Manager client double: answers GetSecretValue from a queue of results and counts calls. */
class FakeSecretsManager {
  readonly secretIds: (string | undefined)[] = [];
  readonly puts: { secretId?: string; value?: string }[] = [];
  private readonly results: (() => { SecretString?: string })[] = [];

  respond(secretString: string | undefined): this {
    this.results.push(() => (secretString === undefined ? {} : { SecretString: secretString }));
    return this;
  }

  fail(error: Error): this {
    this.results.push(() => {
      throw error;
    });
    return this;
  }

  get calls(): number {
    return this.secretIds.length;
  }

  readonly send = async (command: unknown): Promise<{ SecretString?: string }> => {
    if (command instanceof PutSecretValueCommand) {
      this.puts.push({ secretId: command.input.SecretId, value: command.input.SecretString });
      const next = this.results.shift();
      if (next === undefined) throw new Error('no response queued');
      return next();
    }
    if (!(command instanceof GetSecretValueCommand)) throw new Error('unexpected command');
    this.secretIds.push(command.input.SecretId);
    const next = this.results.shift();
    if (next === undefined) throw new Error('no response queued');
    return next();
  };

  asClient(): Pick<SecretsManagerClient, 'send'> {
    return this as unknown as Pick<SecretsManagerClient, 'send'>;
  }
}

describe('SecretsManagerResolver', () => {
  function setup(fake: FakeSecretsManager, ttlSeconds = 300) {
    const clock = { now: 1_000_000 };
    const resolver = new SecretsManagerResolver({
      client: fake.asClient(),
      secretId: SECRET_ID,
      ttlSeconds,
      now: () => clock.now,
    });
    return { resolver, clock };
  }

  it('reads the configured secret id', async () => {
    // Arrange
    const fake = new FakeSecretsManager().respond('whsec_1');
    const { resolver } = setup(fake);

    // Act
    const values = await resolver.resolve(REFERENCE);

    // Assert
    expect(values).toEqual(['whsec_1']);
    expect(fake.secretIds).toEqual([SECRET_ID]);
  });

  it('caches the values within the TTL (one call)', async () => {
    const fake = new FakeSecretsManager().respond('whsec_1');
    const { resolver, clock } = setup(fake, 300);

    await resolver.resolve(REFERENCE);
    clock.now += 299_999;
    const values = await resolver.resolve(REFERENCE);

    expect(values).toEqual(['whsec_1']);
    expect(fake.calls).toBe(1);
  });

  it('refreshes once the TTL has passed', async () => {
    const fake = new FakeSecretsManager().respond('whsec_1').respond('whsec_2');
    const { resolver, clock } = setup(fake, 300);

    await resolver.resolve(REFERENCE);
    clock.now += 300_000;
    const values = await resolver.resolve(REFERENCE);

    expect(values).toEqual(['whsec_2']);
    expect(fake.calls).toBe(2);
  });

  it('starts a new TTL from the refresh', async () => {
    const fake = new FakeSecretsManager().respond('a').respond('b');
    const { resolver, clock } = setup(fake, 60);

    await resolver.resolve(REFERENCE);
    clock.now += 60_000;
    await resolver.resolve(REFERENCE);
    clock.now += 59_000;
    const values = await resolver.resolve(REFERENCE);

    expect(values).toEqual(['b']);
    expect(fake.calls).toBe(2);
  });

  it('defaults the TTL to 300 seconds', async () => {
    const fake = new FakeSecretsManager().respond('a').respond('b');
    const clock = { now: 0 };
    const resolver = new SecretsManagerResolver({
      client: fake.asClient(),
      secretId: SECRET_ID,
      now: () => clock.now,
    });

    await resolver.resolve(REFERENCE);
    clock.now = 299_999;
    await resolver.resolve(REFERENCE);
    clock.now = 300_000;
    await resolver.resolve(REFERENCE);

    expect(fake.calls).toBe(2);
  });

  it('serves the stale values when a refresh fails', async () => {
    const fake = new FakeSecretsManager().respond('whsec_1').fail(new Error('throttled'));
    const { resolver, clock } = setup(fake, 300);

    await resolver.resolve(REFERENCE);
    clock.now += 301_000;
    const values = await resolver.resolve(REFERENCE);

    expect(values).toEqual(['whsec_1']);
    expect(fake.calls).toBe(2);
  });

  it('serves the stale values when a refresh returns no value', async () => {
    const fake = new FakeSecretsManager().respond('whsec_1').respond(undefined);
    const { resolver, clock } = setup(fake, 300);

    await resolver.resolve(REFERENCE);
    clock.now += 301_000;

    expect(await resolver.resolve(REFERENCE)).toEqual(['whsec_1']);
  });

  it('retries after a failed refresh and picks up the new value', async () => {
    const fake = new FakeSecretsManager().respond('a').fail(new Error('down')).respond('b');
    const { resolver, clock } = setup(fake, 300);

    await resolver.resolve(REFERENCE);
    clock.now += 301_000;
    await resolver.resolve(REFERENCE);
    const values = await resolver.resolve(REFERENCE);

    expect(values).toEqual(['b']);
    expect(fake.calls).toBe(3);
  });

  it('fails with SecretUnavailableError, keeping the cause, when nothing is cached', async () => {
    const cause = new Error('AccessDeniedException');
    const fake = new FakeSecretsManager().fail(cause);
    const { resolver } = setup(fake);

    const error = await rejectionOf(resolver.resolve(REFERENCE));

    expect(error.code).toBe('secret_unavailable');
    expect(error.message).toBe(`could not read secret ${SECRET_ID}`);
    expect(error.cause).toBe(cause);
  });

  it.each([undefined, '', '  ', '[]'])(
    'fails when the secret holds no value (%j) and nothing is cached',
    async (text) => {
      const fake = new FakeSecretsManager().respond(text);
      const { resolver } = setup(fake);

      const error = await rejectionOf(resolver.resolve(REFERENCE));

      expect(error.message).toBe(`secret ${SECRET_ID} has no value`);
      expect(error).toBeInstanceOf(SecretNotSetError);
    },
  );

  it('does not cache a failure', async () => {
    const fake = new FakeSecretsManager().fail(new Error('down')).respond('whsec_1');
    const { resolver } = setup(fake);

    await rejectionOf(resolver.resolve(REFERENCE));
    const values = await resolver.resolve(REFERENCE);

    expect(values).toEqual(['whsec_1']);
  });

  it('returns every value of a JSON array during rotation', async () => {
    const fake = new FakeSecretsManager().respond('["whsec_new","whsec_old"]');
    const { resolver } = setup(fake);

    expect(await resolver.resolve(REFERENCE)).toEqual(['whsec_new', 'whsec_old']);
  });

  it("reads another secret the route's options name from its own ARN", async () => {
    const fake = new FakeSecretsManager().respond('verify-token');
    const resolver = new SecretsManagerResolver({
      client: fake.asClient(),
      secretId: SECRET_ID,
      otherSecretIds: { 'meta/verify-token': `${SECRET_ID}-token` },
    });

    expect(await resolver.resolve({ name: 'meta/verify-token' })).toEqual(['verify-token']);
    expect(fake.secretIds).toEqual([`${SECRET_ID}-token`]);
  });

  it('stores a value with PutSecretValue and serves it from the cache', async () => {
    const fake = new FakeSecretsManager().respond('');
    const { resolver } = setup(fake);

    await resolver.store(REFERENCE, 'asana-secret-1');

    expect(fake.puts).toEqual([{ secretId: SECRET_ID, value: 'asana-secret-1' }]);
    expect(await resolver.resolve(REFERENCE)).toEqual(['asana-secret-1']);
    expect(fake.calls).toBe(0);
  });

  it('fails with SecretUnavailableError when the value cannot be stored', async () => {
    const fake = new FakeSecretsManager().fail(new Error('AccessDeniedException'));
    const { resolver } = setup(fake);

    const error = await rejectionOf(resolver.store(REFERENCE, 'asana-secret-1'));

    expect(error.message).toBe(`could not store secret ${SECRET_ID}`);
  });
});
