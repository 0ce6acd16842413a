import { describe, expect, it } from 'vitest';

type Context = { conditions: string[] };
type NextResolve = (specifier: string, context: Context) => Promise<{ url: string }>;
type ResolveHook = (specifier: string, context: Context, next: NextResolve) => Promise<{ url: string }>;

const { resolve } = (await import('../../../shared/cli/source-condition.mjs' as string)) as {
  resolve: ResolveHook;
};

/** What the next hook in the chain was asked to resolve. */
async function resolvedWith(specifier: string): Promise<Context> {
  let seen: Context | undefined;
  await resolve(specifier, { conditions: ['node', 'import'] }, async (_specifier, context) => {
    seen = context;
    return { url: 'file:///x.js' };
  });
  if (seen === undefined) throw new Error('the hook did not call the next one');
  return seen;
}

describe('the CLI resolve hook of the repository', () => {
  it.each(['hookline', 'hookline/handler', 'hookline/config'])(
    'resolves %s with the hookline-source condition',
    async (specifier) => {
      expect((await resolvedWith(specifier)).conditions).toEqual(['node', 'import', 'hookline-source']);
    },
  );

  it.each(['hooklinery', 'zod', './hookline/local.ts'])('leaves %s as it was', async (specifier) => {
    expect((await resolvedWith(specifier)).conditions).toEqual(['node', 'import']);
  });
});
