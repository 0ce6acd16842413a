import { describe, expect, it } from 'vitest';
import { COMMON_OPTION_HELP, renderCommandHelp } from '../../../shared/cli/help.js';
import { COMMANDS, overview } from '../../../shared/cli/registry.js';

const modules = await Promise.all(COMMANDS.map(async (entry) => ({ entry, module: await entry.load() })));

describe.each(modules.map(({ entry, module }) => [entry.name, module] as const))(
  'hookline %s help',
  (name, module) => {
    it('has a help line for each option and no other', () => {
      expect(Object.keys(module.help.options).sort()).toEqual(Object.keys(module.options).sort());
    });

    it('names in its usage and examples only flags the command takes', () => {
      const flags = new Set([...Object.keys(module.options), ...Object.keys(COMMON_OPTION_HELP)]);
      const texts = [
        ...module.help.usage,
        ...module.help.examples,
        ...Object.values(module.help.subcommands ?? {}).flatMap((sub) => [...sub.usage, ...sub.examples]),
      ];
      const named = texts.flatMap((text) =>
        [...text.matchAll(/(?<![\w-])--([a-z][\w-]*)/g)].map((match) => match[1]),
      );
      expect(named.filter((flag) => flag !== undefined && !flags.has(flag))).toEqual([]);
    });

    it('gives each subcommand options of the command only, and a usage and an example', () => {
      for (const sub of Object.values(module.help.subcommands ?? {})) {
        for (const option of sub.options) expect(Object.keys(module.options)).toContain(option);
        expect(sub.usage.length).toBeGreaterThan(0);
        expect(sub.examples.length).toBeGreaterThan(0);
        expect(sub.usage.every((line) => line.startsWith(`hookline ${name} `))).toBe(true);
      }
    });

    it('has a usage line, a description and an example', () => {
      expect(module.help.usage.every((line) => line.startsWith(`hookline ${name}`))).toBe(true);
      expect(module.help.description).not.toBe('');
      expect(module.help.examples.length).toBeGreaterThan(0);
    });
  },
);

describe('renderCommandHelp()', () => {
  const help = {
    usage: ['hookline demo list [--max N]', 'hookline demo drop <id>'],
    description: 'Demo things.',
    options: { max: { value: 'N', text: 'at most N' }, force: { text: 'even if in use' } },
    examples: ['hookline demo list --max 3'],
    subcommands: {
      list: {
        usage: ['hookline demo list [--max N]'],
        description: 'Lists them.',
        options: ['max'],
        examples: ['hookline demo list'],
      },
      drop: {
        usage: ['hookline demo drop <id>'],
        description: 'Drops one.',
        options: ['force'],
        examples: ['hookline demo drop d1'],
      },
    },
  } as const;

  it('lays out usage, description, subcommands, aligned options, common options and examples', () => {
    expect(renderCommandHelp('demo', 'demo things', help)).toBe(
      [
        'usage: hookline demo list [--max N]',
        '       hookline demo drop <id>',
        '',
        'Demo things.',
        '',
        'subcommands:',
        '  list  Lists them',
        '  drop  Drops one',
        '',
        'options:',
        '  --max N  at most N',
        '  --force  even if in use',
        '',
        'common options:',
        '  --config FILE  the config file (else HOOKLINE_CONFIG, else hookline.config.ts)',
        '  --json         print one JSON document; an error is one JSON object on stderr',
        '  --help         print this help (-h)',
        '',
        'examples:',
        '  hookline demo list --max 3',
        '',
        'hookline help demo <subcommand> for one of them.',
      ].join('\n'),
    );
  });

  it("shows a subcommand's usage, options and examples only", () => {
    const text = renderCommandHelp('demo', 'demo things', help, 'drop');
    expect(text).toMatch(
      /^usage: hookline demo drop <id>\n\nDrops one\.\n\noptions:\n {2}--force {2}even if in use\n/,
    );
    expect(text).not.toContain('--max');
    expect(text).not.toContain('subcommands:');
    expect(text).toMatch(/examples:\n {2}hookline demo drop d1$/);
  });
});

describe('overview()', () => {
  it('lists every command with its summary, and the exit codes', () => {
    const text = overview();
    for (const entry of COMMANDS) expect(text).toContain(`  ${entry.name.padEnd(10)}  ${entry.summary}\n`);
    expect(text).toMatch(
      /exit codes:\n {2}0 {2}success\n {2}1 {2}the operation failed.*\n {2}2 {2}usage error/,
    );
  });
});
