import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const projectRoot = resolve(import.meta.dirname, '../..');
const readme = readFileSync(resolve(projectRoot, 'README.md'), 'utf8');
const manifest = JSON.parse(readFileSync(resolve(projectRoot, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, unknown>;
};

interface DocumentedImport {
  readonly names: readonly string[];
  readonly from: string;
}

/** Every `import { … } from '…'` in the README's TypeScript and JavaScript blocks. */
function documentedImports(): DocumentedImport[] {
  const blocks = [...readme.matchAll(/```(?:ts|js|typescript|javascript)\n([\s\S]*?)```/g)];
  return blocks.flatMap(([, code]) =>
    [...(code ?? '').matchAll(/^import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/gm)].map(
      ([, names, from]) => ({
        from: from ?? '',
        names: (names ?? '')
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '' && !name.startsWith('type ')),
      }),
    ),
  );
}

describe('the package exports the README documents', () => {
  const imports = documentedImports();

  it('finds the README examples', () => {
    expect(imports.map(({ from }) => from)).toEqual(
      expect.arrayContaining(['hookline/config', 'hookline/handler', 'hookline/worker', 'hookline/client']),
    );
  });

  it('imports no project file by a relative path', () => {
    expect(imports.filter(({ from }) => from.startsWith('.'))).toEqual([]);
  });

  const ownImports = imports.filter(({ from }) => from.startsWith(`${manifest.name}/`));

  it.each(ownImports.map((entry) => [entry.from, entry]))('%s is a package export', (from) => {
    expect(Object.keys(manifest.exports)).toContain(`./${from.slice(manifest.name.length + 1)}`);
  });

  it.each(ownImports.map((entry) => [entry.from, entry]))(
    '%s defines every name imported from it',
    async (_from, entry) => {
      const module = (await import(entry.from)) as Record<string, unknown>;

      for (const name of entry.names) expect(module[name], `${name} from ${entry.from}`).toBeDefined();
    },
  );
});

describe('hookline/... inside the repository', () => {
  it('resolves to the sources (condition hookline-source), never to a stale dist/', async () => {
    const fromPackage = await import('hookline/handler');
    const fromSource = await import('../../shared/handler/index.js');
    expect(fromPackage.defineHandler).toBe(fromSource.defineHandler);
  });
});
