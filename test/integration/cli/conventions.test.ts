/**
 * The CLI's conventions, on the real `hookline` with no gateway running: help, version, usage
 * errors and their exit code, `--json` errors, colour, completion scripts, `--data @file`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOR_CODE, HAS_SCRIPT, hookline, ROOT } from './spawn-hookline.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Every command and subcommand, as `hookline help` takes them. */
const TOPICS: readonly (readonly string[])[] = [
  ['dev'],
  ['console'],
  ['send'],
  ['trigger'],
  ['events'],
  ['events', 'list'],
  ['events', 'show'],
  ['events', 'export'],
  ['events', 'tail'],
  ['replay'],
  ['dlq'],
  ['dlq', 'list'],
  ['dlq', 'redrive'],
  ['route'],
  ['route', 'pause'],
  ['route', 'resume'],
  ['status'],
  ['stats'],
  ['process'],
  ['worker'],
  ['completion'],
];

let folder: string;

beforeAll(() => {
  // No config and no local stack here: whatever needs a gateway fails the same way every time.
  folder = mkdtempSync(join(tmpdir(), 'hookline-conventions-'));
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

function run(args: readonly string[], options: { env?: Record<string, string>; tty?: boolean } = {}) {
  return hookline(args, { cwd: folder, ...options });
}

describe('hookline <command> --help', () => {
  it.each(TOPICS.map((topic) => [topic.join(' '), topic]))(
    'prints the help of %s on stdout and exits 0',
    async (_name, topic) => {
      // Act
      const help = await run([...topic, '--help']);
      const short = await run([...topic, '-h']);
      const viaHelp = await run(['help', ...topic]);
      // Assert
      expect(help.stderr).toBe('');
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: hookline ${topic.join(' ')}`));
      expect(help.stdout).toMatch(/\n\ncommon options:\n {2}--config FILE .+\n {2}--json .+\n/);
      expect(help.stdout).toMatch(/\n\nexamples:\n {2}\S/);
      expect(short).toEqual(help);
      expect(viaHelp).toEqual(help);
    },
  );

  it('gives each option of a command one line', async () => {
    const help = await run(['replay', '--help']);
    const options = help.stdout.split('\n\noptions:\n')[1]?.split('\n\n')[0]?.split('\n') ?? [];
    expect(options.map((line) => /^ {2}(--\S+)/.exec(line)?.[1])).toEqual([
      '--route',
      '--since',
      '--until',
      '--status',
      '--dry-run',
      '--rate',
      '--limit',
      '--cursor',
      '--stack',
      '--region',
    ]);
  });

  it("shows a subcommand's own options only", async () => {
    const help = await run(['events', 'show', '--help']);
    expect(help.stdout).toContain('--body');
    expect(help.stdout).not.toContain('--fixture');
    expect(help.stdout).not.toContain('--since');
  });

  it.each([
    ['a missing required option', ['process']],
    ['a missing argument', ['events', 'export']],
    ['an unknown option', ['send', '--no-such-flag']],
    ['a bad value', ['dlq', 'list', 'r', '--max', 'many']],
    ['an unknown subcommand', ['route', 'restart']],
  ])('prints the help rather than the error of %s', async (_case, args) => {
    const help = await run([...args, '--help', '--json']);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(new RegExp(`^usage: hookline ${args[0]}`));
  });

  it('refuses help on an unknown command or subcommand (exit 2)', async () => {
    const command = await run(['help', 'deploy']);
    expect(command.code).toBe(2);
    expect(command.stderr).toBe('hookline: unknown command "deploy": hookline --help lists the commands\n');
    const subcommand = await run(['help', 'events', 'purge']);
    expect(subcommand.code).toBe(2);
    expect(subcommand.stderr).toBe(
      'hookline: unknown events subcommand "purge" (list, show, export, tail)\n',
    );
  });
});

describe('hookline --help', () => {
  it.each([[['--help']], [['-h']], [['help']]])(
    '%j prints the overview with the exit codes and exits 0',
    async (args) => {
      const overview = await run(args);
      expect(overview.code).toBe(0);
      expect(overview.stderr).toBe('');
      expect(overview.stdout).toMatch(/^usage: hookline <command> \[options\]/);
      for (const [command] of TOPICS)
        expect(overview.stdout).toMatch(new RegExp(`^ {2}${command} +\\S`, 'm'));
      expect(overview.stdout).toMatch(/^ {2}0 {2}success$/m);
      expect(overview.stdout).toMatch(/^ {2}1 {2}the operation failed/m);
      expect(overview.stdout).toMatch(/^ {2}2 {2}usage error/m);
    },
  );

  it('prints the overview on stderr and exits 2 without a command', async () => {
    const bare = await run([]);
    const overview = await run(['--help']);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toBe(overview.stdout);
  });
});

describe('hookline --version', () => {
  it.each([[['--version']], [['-v']]])('%j prints the version from package.json', async (args) => {
    const version = await run(args);
    expect(version).toEqual({ code: 0, stdout: `hookline ${VERSION}\n`, stderr: '' });
  });

  it('prints it as JSON with --json', async () => {
    expect(await run(['--version', '--json'])).toEqual({
      code: 0,
      stdout: `${JSON.stringify({ version: VERSION })}\n`,
      stderr: '',
    });
    expect((await run(['--json', '-v'])).stdout).toBe(`{"version":"${VERSION}"}\n`);
  });

  it('refuses other arguments beside it (exit 2)', async () => {
    const version = await run(['--version', 'status']);
    expect(version.code).toBe(2);
    expect(version.stderr).toBe('hookline: --version takes no other arguments than --json\n');
  });
});

describe('errors and exit codes', () => {
  it.each([
    ['an unknown command', ['deploy'], 'unknown command "deploy": hookline --help lists the commands'],
    ['an unknown option', ['status', '--colour'], "Unknown option '--colour'"],
    [
      'a bad option value',
      ['events', 'list', '--limit', 'ten'],
      '--limit must be a whole number 1–1000 (got "ten")',
    ],
    ['a missing argument', ['events', 'show'], 'usage: hookline events show <id> [--body]'],
    [
      'a bad --since',
      ['replay', '--route', '/a/', '--since', 'yesterday'],
      '--since: "yesterday" is not a time',
    ],
  ])('exits 2 on %s, with one JSON error object under --json', async (_case, args, message) => {
    // Act
    const text = await run(args);
    const json = await run([...args, '--json']);
    // Assert
    expect(text.code).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(/^hookline: .+\n$/);
    expect(text.stderr).toContain(message);
    expect(json.code).toBe(2);
    expect(json.stdout).toBe('');
    expect(json.stderr.endsWith('\n')).toBe(true);
    expect(json.stderr.trimEnd().split('\n')).toHaveLength(1);
    const error = JSON.parse(json.stderr) as { error: { code: string; message: string } };
    expect(Object.keys(error)).toEqual(['error']);
    expect(error.error.code).toBe('usage');
    expect(error.error.message).toContain(message);
  });

  it('exits 1 on a failed operation, its code kept under --json', async () => {
    const text = await run(['status']);
    expect(text.code).toBe(1);
    expect(text.stderr).toBe(
      'hookline: no local stack running for hookline.config.ts: start it with npm start\n',
    );
    const json = await run(['status', '--json']);
    expect(json.code).toBe(1);
    expect(json.stdout).toBe('');
    expect(JSON.parse(json.stderr)).toEqual({
      error: {
        code: 'no_local_stack',
        message: 'no local stack running for hookline.config.ts: start it with npm start',
      },
    });
  });

  it('reports a config that cannot be loaded with its code (exit 1)', async () => {
    const json = await run(['process', '--route', 'r', '--config', 'absent.config.ts', '--json']);
    expect(json.code).toBe(1);
    expect(json.stdout).toBe('');
    expect(JSON.parse(json.stderr)).toMatchObject({
      error: { code: 'invalid_config', message: expect.stringContaining('absent.config.ts') },
    });
  });
});

describe('hookline send --data @FILE', () => {
  it('is a usage error naming a file that does not exist', async () => {
    const text = await run(['send', '/orders/', '--data', '@missing-order.json']);
    expect(text.code).toBe(2);
    expect(text.stderr).toBe(
      'hookline: --data @missing-order.json: cannot read missing-order.json (no such file)\n',
    );
    const json = await run(['send', '/orders/', '--data', '@missing-order.json', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr)).toEqual({
      error: {
        code: 'usage',
        message: '--data @missing-order.json: cannot read missing-order.json (no such file)',
      },
    });
  });

  it('is a usage error without a file name', async () => {
    const run1 = await run(['send', '/orders/', '--data', '@']);
    expect(run1.code).toBe(2);
    expect(run1.stderr).toBe('hookline: --data @ needs a file name (or @- for standard input)\n');
  });

  it('reads an existing file before looking for the gateway', async () => {
    writeFileSync(join(folder, 'order.json'), '{"order":1}');
    const sent = await run(['send', '/orders/', '--data', '@order.json']);
    // The file was read; what fails is the missing stack.
    expect(sent.code).toBe(1);
    expect(sent.stderr).toMatch(/^hookline: no local stack running/);
  });
});

describe.skipIf(!HAS_SCRIPT)('colour', () => {
  it('paints the error prefix red on a terminal', async () => {
    const shown = await run(['status'], { tty: true });
    expect(shown.code).toBe(1);
    expect(shown.stdout).toContain('\u001b[31mhookline:\u001b[39m no local stack running');
  });

  it.each([
    ['NO_COLOR is set', ['status'], { NO_COLOR: '1' }],
    ['--json is given', ['status', '--json'], {}],
  ])('prints no colour when %s', async (_case, args, env) => {
    const shown = await run(args, { tty: true, env });
    expect(shown.code).toBe(1);
    expect(shown.stdout).toMatch(/no local stack running/);
    expect(shown.stdout).not.toMatch(COLOR_CODE);
  });

  it('keeps colour on with an empty NO_COLOR', async () => {
    const shown = await run(['status'], { tty: true, env: { NO_COLOR: '' } });
    expect(shown.stdout).toMatch(COLOR_CODE);
  });

  it('prints no colour when piped', async () => {
    const piped = await run(['status']);
    expect(piped.stderr).not.toMatch(COLOR_CODE);
  });
});

describe('hookline completion', () => {
  it.each([['bash'], ['zsh'], ['fish']])(
    'prints a %s script with every command, subcommand and flag name',
    async (shell) => {
      const script = await run(['completion', shell]);
      expect(script.code).toBe(0);
      expect(script.stderr).toBe('');
      for (const [command] of TOPICS) expect(script.stdout).toContain(command);
      for (const word of [
        'list',
        'redrive',
        'pause',
        'resume',
        'export',
        'dry-run',
        'since',
        'secret-env',
        'counts',
        'concurrency',
        'port',
        'json',
        'config',
      ]) {
        expect(script.stdout).toContain(word);
      }
    },
  );

  it('refuses an unknown shell (exit 2)', async () => {
    const script = await run(['completion', 'tcsh']);
    expect(script.code).toBe(2);
    expect(script.stdout).toBe('');
    expect(script.stderr).toBe('hookline: no completion for shell "tcsh" (bash, zsh, fish)\n');
    expect((await run(['completion'])).code).toBe(2);
  });

  it('completes commands, subcommands and flags in bash', async () => {
    const script = (await run(['completion', 'bash'])).stdout;
    const complete = (words: readonly string[]) => {
      const program = `${script}
COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_hookline; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const result = spawnSync('bash', ['-c', program], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      return result.stdout.trim().split('\n');
    };
    expect(complete(['hookline', 'ev'])).toEqual(['events']);
    expect(complete(['hookline', 'dlq', ''])).toEqual(['list', 'redrive']);
    expect(complete(['hookline', 'events', 'show', '--'])).toEqual([
      '--body',
      '--stack',
      '--region',
      '--config',
      '--json',
      '--help',
    ]);
    expect(complete(['hookline', 'replay', '--dr'])).toEqual(['--dry-run']);
    expect(complete(['hookline', 'help', 'wor'])).toEqual(['worker']);
  });

  it.each([['zsh'], ['fish']])(
    'writes a %s script the shell parses, where it is installed',
    async (shell) => {
      const installed = spawnSync(shell, ['--version']).status === 0;
      const script = (await run(['completion', shell])).stdout;
      if (!installed) {
        // Still a script for that shell: its own completion commands.
        expect(script).toMatch(
          shell === 'zsh'
            ? /^#compdef hookline\n[\s\S]*compdef _hookline hookline\n$/
            : /^complete -c hookline /m,
        );
        return;
      }
      const file = join(folder, `hookline.${shell}`);
      writeFileSync(file, script);
      expect(spawnSync(shell, ['-n', file], { encoding: 'utf8' }).status).toBe(0);
    },
  );
});
