import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config/errors.js';
import { DEFAULT_CONFIG_FILE, handlerEntry, loadConfig } from '../../../shared/config/load.js';
import { resolveConfig } from '../../../shared/config/validate.js';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SHIPPED_CONFIG = join(PROJECT_ROOT, 'hookline.config.ts');

const ROUTE = `{ path: '/hook/', verify: { scheme: 'none' }, handler: 'handlers/hook.ts' }`;

let workDir = '';
let counter = 0;

/** Writes `files` (relative path → text) into a fresh folder under the temp dir; returns the folder. */
function project(files: Readonly<Record<string, string>>): string {
  counter += 1;
  const folder = join(workDir, `project-${counter}`);
  for (const [path, text] of Object.entries(files)) {
    const file = join(folder, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return folder;
}

async function loadError(file: string): Promise<ConfigError> {
  try {
    await loadConfig(file);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig() to throw a ConfigError');
}

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'hookline-config-'));
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('loadConfig()', () => {
  it('imports a TypeScript config, validates it and applies defaults', async () => {
    // Arrange
    const folder = project({
      'hookline.config.ts': `const name: string = 'tmp-hooks';\nexport default { name, routes: [${ROUTE}] };\n`,
      'handlers/hook.ts': 'export const handler = async (): Promise<void> => {};\n',
    });

    // Act
    const config = await loadConfig(join(folder, 'hookline.config.ts'));

    // Assert
    expect(config.name).toBe('tmp-hooks');
    expect(config.routes).toHaveLength(1);
    expect(config.routes[0]).toMatchObject({
      path: '/hook/',
      queueName: 'hook',
      handler: 'handlers/hook.ts',
      methods: ['POST'],
      expectJson: true,
    });
  });

  it('imports a JavaScript module config', async () => {
    const folder = project({
      'hookline.config.mjs': `export default { routes: [${ROUTE}] };\n`,
      'handlers/hook.ts': 'export {};\n',
    });

    const config = await loadConfig(join(folder, 'hookline.config.mjs'));

    expect(config.name).toBe('hookline');
  });

  it('resolves handler files relative to the config folder, not the working directory', async () => {
    const folder = project({
      'nested/app/hookline.config.ts': `export default { routes: [${ROUTE}] };\n`,
      'nested/app/handlers/hook.ts': 'export {};\n',
    });

    const config = await loadConfig(join(folder, 'nested/app/hookline.config.ts'));

    expect(config.routes[0]?.handler).toBe('handlers/hook.ts');
  });

  it('rejects a missing config file, naming its absolute path', async () => {
    const file = join(workDir, 'does-not-exist.config.ts');

    const error = await loadError(file);

    expect(error.code).toBe('invalid_config');
    expect(error.problems).toEqual([`file not found: ${file}`]);
  });

  it('rejects a module without a default export', async () => {
    const folder = project({ 'hookline.config.ts': `export const config = { routes: [${ROUTE}] };\n` });
    const file = join(folder, 'hookline.config.ts');

    const error = await loadError(file);

    expect(error.problems).toEqual(['no default export (use `export default defineConfig({...})`)']);
    expect(error.message.startsWith(`${file} is invalid:`)).toBe(true);
  });

  it('rejects a route whose handler file does not exist', async () => {
    const folder = project({
      'hookline.config.ts': `export default { routes: [${ROUTE}, { path: '/other/', verify: { scheme: 'none' }, handler: 'handlers/other.ts' }] };\n`,
      'handlers/hook.ts': 'export {};\n',
    });

    const error = await loadError(join(folder, 'hookline.config.ts'));

    expect(error.problems).toEqual(['routes[1].handler: file not found: handlers/other.ts']);
  });

  it('reports every missing handler together', async () => {
    const folder = project({
      'hookline.config.ts': `export default { routes: [${ROUTE}, { path: '/b/', verify: { scheme: 'none' }, handler: 'b.ts' }] };\n`,
    });

    const error = await loadError(join(folder, 'hookline.config.ts'));

    expect(error.problems).toEqual([
      'routes[0].handler: file not found: handlers/hook.ts',
      'routes[1].handler: file not found: b.ts',
    ]);
  });

  it('rejects an invalid config, naming the file as the source', async () => {
    const folder = project({
      'hookline.config.ts': `export default { routes: [{ path: '/x/*', verify: { scheme: 'github' }, handler: 'h.ts' }] };\n`,
    });
    const file = join(folder, 'hookline.config.ts');

    const error = await loadError(file);

    expect(error.problems).toHaveLength(2);
    expect(error.problems).toContain('routes[0].verify.secret: required');
    expect(error.message.startsWith(`${file} is invalid:`)).toBe(true);
  });

  it('defaults to hookline.config.ts', () => {
    expect(DEFAULT_CONFIG_FILE).toBe('hookline.config.ts');
  });
});

describe('handlerEntry()', () => {
  it('resolves a handler against the folder of its config file', () => {
    expect(handlerEntry('/srv/app/hookline.config.ts', 'functions/handlers/a.ts')).toBe(
      resolve('/srv/app/functions/handlers/a.ts'),
    );
  });

  it('resolves a relative config file against the working directory', () => {
    expect(handlerEntry('hookline.config.ts', 'handlers/a.ts')).toBe(resolve('handlers/a.ts'));
  });
});

describe('the shipped hookline.config.ts', () => {
  it('loads with its handler files present', async () => {
    // Act
    const config = await loadConfig(SHIPPED_CONFIG);

    // Assert
    expect(config.name).toBe('hookline');
    expect(config.routes.length).toBeGreaterThanOrEqual(3);
  });

  it('has a github, a stripe and a standardWebhooks order status route', async () => {
    const config = await loadConfig(SHIPPED_CONFIG);
    const byScheme = (scheme: string) => config.routes.find((route) => route.verify.scheme === scheme);

    expect(byScheme('github')).toMatchObject({ path: '/github/', queueName: 'github' });
    expect(byScheme('stripe')).toMatchObject({ path: '/stripe/', queueName: 'stripe' });
    expect(config.routes.find((route) => route.path === '/order/status/')).toMatchObject({
      queueName: 'order_status',
      verify: { scheme: 'standardWebhooks' },
    });
  });

  it('names secrets without holding their values', async () => {
    const { default: raw } = (await import(SHIPPED_CONFIG)) as { default: unknown };

    const config = resolveConfig(raw);

    for (const route of config.routes) {
      if ('secret' in route.verify && route.verify.secret !== undefined) {
        expect(route.verify.secret.name).toMatch(/^[A-Z0-9_]+$/);
      }
    }
  });
});
