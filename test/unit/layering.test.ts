import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const projectRoot = resolve(import.meta.dirname, '../..');
const rules = join(projectRoot, '.dependency-cruiser.cjs');
const depcruise = join(projectRoot, 'node_modules', '.bin', 'depcruise');

const TSCONFIG = JSON.stringify({
  compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true },
  include: ['shared', 'infra'],
});

const trees: string[] = [];

afterAll(async () => {
  await Promise.all(trees.map((tree) => rm(tree, { recursive: true, force: true })));
});

/** Lays out `files` (path → source) in a new folder and runs the project's rules over it. */
async function cruise(files: Readonly<Record<string, string>>): Promise<{ ok: boolean; output: string }> {
  const tree = await mkdtemp(join(tmpdir(), 'hookline-layering-'));
  trees.push(tree);
  await writeFile(join(tree, 'tsconfig.json'), TSCONFIG);
  for (const [path, source] of Object.entries(files)) {
    await mkdir(dirname(join(tree, path)), { recursive: true });
    await writeFile(join(tree, path), source);
  }
  const roots = [...new Set(Object.keys(files).map((path) => path.split('/')[0] ?? path))];
  try {
    const { stdout } = await run(depcruise, ['--config', rules, ...roots], { cwd: tree });
    return { ok: true, output: stdout };
  } catch (error: unknown) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout}${stderr}` };
  }
}

describe('the layering rule (npm run lint)', () => {
  let backwardTree: Promise<{ ok: boolean; output: string }>;

  beforeAll(() => {
    backwardTree = cruise({
      'shared/config/limits.ts': "import { shown } from '../cli/main.js';\nexport const limit = shown;\n",
      'shared/cli/main.ts': "import { x } from '../misc/helpers.js';\nexport const shown = x;\n",
      'shared/misc/helpers.ts': 'export const x = 1;\n',
      'shared/event-store/store.ts':
        "import { accept } from '../ingress/accept.js';\nexport const store = accept;\n",
      'shared/ingress/accept.ts': 'export const accept = 1;\n',
      'shared/worker/worker.ts': "import { start } from '../local/dev-stack.js';\nexport const w = start;\n",
      'shared/local/dev-stack.ts': 'export const start = 1;\n',
      'infra/route.ts': "import { store } from '../shared/event-store/store.js';\nexport const r = store;\n",
    });
  });

  it('accepts an import that runs down the layers', async () => {
    const result = await cruise({
      'shared/cli/main.ts': "import { limit } from '../config/limits.js';\nexport const shown = limit;\n",
      'shared/config/limits.ts': 'export const limit = 1;\n',
    });

    expect(result.output).not.toMatch(/error/);
    expect(result.ok).toBe(true);
  });

  // One tree holding every kind of backward import, cruised once: each must be reported by its rule.
  it.each([
    [
      'a leaf importing a higher layer',
      /layering: leaves: shared\/config\/limits\.ts → shared\/cli\/main\.ts/,
    ],
    ['the event store importing the ingress', /layering: event store: shared\/event-store\/store\.ts → /],
    ['the production worker importing the local stack', /layering: worker below local stack/],
    ['infra importing product code', /layering: infra imports config and names only: infra\/route\.ts/],
    [
      'an import of a module that belongs to no layer',
      /layering: unplaced module: .* → shared\/misc\/helpers\.ts/,
    ],
  ])('fails on %s', async (_case, reported) => {
    const result = await backwardTree;

    expect(result.ok).toBe(false);
    expect(result.output).toMatch(reported);
  });
});
