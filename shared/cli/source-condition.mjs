// A module resolve hook for the repository's own runs of the CLI: `hookline/...` imports (the
// config's, the example handlers') resolve to the sources (package.json `exports`, condition
// `hookline-source`), not to a dist/ that may be older than them.
export async function resolve(specifier, context, nextResolve) {
  if (specifier !== 'hookline' && !specifier.startsWith('hookline/')) return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, 'hookline-source'] });
}
