/**
 * The layering of `shared/` (docs/architecture.md, "Modules"): a module imports only its own layer
 * or lower ones. `npm run lint` runs this; a backward import fails the build.
 */
const LAYERS = [
  {
    name: 'leaves',
    path:
      '^shared/(config/|http/|local-state/|client/|metrics/|ids[.]ts$|envelope[.]ts$|envelope-signature[.]ts$|' +
      'text[.]ts$|errors[.]ts$|logger[.]ts$|env[.]ts$|env-names[.]ts$|resources[.]ts$|aws-limits[.]ts$|' +
      'aws-client-defaults[.]ts$|payload-path[.]ts$|metric-names[.]ts$|log-format[.]ts$)',
  },
  { name: 'verify', path: '^shared/(verify|secrets)/' },
  { name: 'event store', path: '^shared/(event-store|body-store)/' },
  { name: 'ingress and handler runtime', path: '^shared/(ingress|handler|fixtures|circuit)/' },
  { name: 'replay and dlq', path: '^shared/(replay|dlq)/' },
  { name: 'admin', path: '^shared/admin/' },
  { name: 'worker and local stack', path: '^shared/(worker|local|testing)/' },
  { name: 'cli', path: '^shared/cli/' },
];

const anyOf = (paths) => `(${paths.join('|')})`;

const backwardImports = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `layering: ${layer.name}`,
  comment: `the ${layer.name} layer imports only itself and the layers below it`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: anyOf(LAYERS.slice(index + 1).map((higher) => higher.path)) },
}));

/** The infrastructure reads the config and resource names, never product code. */
const INFRA_MAY_IMPORT = [
  '^shared/config/',
  '^shared/resources[.]ts$',
  '^shared/env-names[.]ts$',
  '^shared/aws-limits[.]ts$',
  '^shared/http/paths[.]ts$',
  '^shared/metric-names[.]ts$',
];

module.exports = {
  forbidden: [
    ...backwardImports,
    {
      name: 'layering: worker below local stack',
      comment: 'the production worker never imports the local stack (the local stack uses the worker)',
      severity: 'error',
      from: { path: '^shared/worker/' },
      to: { path: '^shared/local/' },
    },
    {
      name: 'layering: unplaced module',
      comment: 'every module of shared/ belongs to a layer: add it to LAYERS in .dependency-cruiser.cjs',
      severity: 'error',
      from: {},
      to: { path: '^shared/', pathNot: anyOf(LAYERS.map((layer) => layer.path)) },
    },
    {
      name: 'layering: product code above entry points',
      comment: 'shared/ is imported by functions/, infra/ and the CLI, never the reverse',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(functions|infra|test)/' },
    },
    {
      name: 'layering: infra imports config and names only',
      comment: 'constructs hold no product logic: infra/ imports only config, resource names and limits',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^shared/', pathNot: anyOf(INFRA_MAY_IMPORT) },
    },
    {
      name: 'no-circular',
      comment: 'a cycle makes two modules one: merge them or move what they share below both',
      severity: 'error',
      from: { path: '^(shared|infra|functions)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|cdk[.]out)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
