import { describe, expect, it } from 'vitest';
import { AdminApiError } from '../../../shared/cli/admin-client.js';
import { CliUsageError } from '../../../shared/cli/command.js';
import { failureOf, printFailure } from '../../../shared/cli/failure.js';
import { commandOutput } from '../../../shared/cli/output.js';
import { progressLine } from '../../../shared/cli/progress.js';
import { colorEnabled, createStyle, styleFor } from '../../../shared/cli/style.js';
import { renderTable } from '../../../shared/cli/table.js';
import { ConfigError } from '../../../shared/config/errors.js';

const ESC = String.fromCharCode(27);
const ERASE = `\r${ESC}[2K`;

function sink(isTTY: boolean, columns?: number) {
  const written: string[] = [];
  return {
    isTTY,
    columns,
    written,
    write: (text: string) => written.push(text),
    text: () => written.join(''),
  };
}

describe('colorEnabled()', () => {
  it.each([
    [true, {}, true],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [false, {}, false],
  ])('on a terminal %s with %j: %s', (isTTY, env, expected) => {
    expect(colorEnabled({ isTTY }, env)).toBe(expected);
  });
});

describe('createStyle()', () => {
  it.each([
    ['delivered', 32],
    ['failed', 31],
    ['dead_lettered', 31],
    ['retrying', 33],
    ['processing', 33],
    ['delivered (after redrive)', 32],
  ])('paints %s in colour %i', (status, code) => {
    expect(createStyle(true).status(status)).toBe(`${ESC}[${code}m${status}${ESC}[39m`);
  });

  it('leaves other words, and everything when off, unpainted', () => {
    expect(createStyle(true).status('queued')).toBe('queued');
    expect(createStyle(false).status('failed')).toBe('failed');
    expect(createStyle(false).red('hookline:')).toBe('hookline:');
  });

  it('is off under --json even on a terminal', () => {
    expect(styleFor({ isTTY: true }, true).enabled).toBe(false);
  });
});

describe('renderTable() with a painted column', () => {
  it('keeps the columns aligned, the colour codes outside the padding', () => {
    const style = createStyle(true);
    const table = renderTable(
      ['ID', { header: 'STATUS', paint: style.status }, 'N'],
      [
        ['a', 'delivered', 1],
        ['b', 'failed', 22],
        ['c', undefined, 3],
      ],
    );
    expect(table.split('\n')).toEqual([
      'ID  STATUS      N',
      `a   ${ESC}[32mdelivered${ESC}[39m   1`,
      `b   ${ESC}[31mfailed${ESC}[39m     22`,
      'c   -           3',
    ]);
  });
});

describe('progressLine()', () => {
  it('draws one line that each update replaces, and erases it', () => {
    const stderr = sink(true, 40);
    const progress = progressLine(stderr, false);
    progress.update('replaying: 1 of 3');
    progress.update('replaying: 2 of 3');
    progress.clear();
    expect(stderr.written).toEqual([`${ERASE}replaying: 1 of 3`, `${ERASE}replaying: 2 of 3`, ERASE]);
  });

  it('writes nothing when stderr is not a terminal, or under --json', () => {
    for (const [stream, json] of [
      [sink(false), false],
      [sink(true), true],
    ] as const) {
      const progress = progressLine(stream, json);
      progress.update('working');
      progress.clear();
      expect(stream.written).toEqual([]);
    }
  });

  it('cuts a line to the terminal width so it never wraps', () => {
    const stderr = sink(true, 30);
    progressLine(stderr, false).update('x'.repeat(100));
    expect(stderr.text()).toBe(`${ERASE}${'x'.repeat(28)}…`);
  });

  it('writes log lines above the line and draws it again', () => {
    const stderr = sink(true, 80);
    const progress = progressLine(stderr, false);
    progress.update('processed 3');
    progress.writeAbove('{"level":"INFO"}\n');
    expect(stderr.written.at(-1)).toBe(`${ERASE}{"level":"INFO"}\nprocessed 3`);
    // Without a terminal, lines pass through unchanged.
    const piped = sink(false);
    progressLine(piped, false).writeAbove('line\n');
    expect(piped.written).toEqual(['line\n']);
  });
});

describe('commandOutput()', () => {
  it('drops notices under --json, where stderr carries errors only', () => {
    const stdout = sink(false);
    const stderr = sink(false);
    commandOutput(true, { stdout, stderr }).notice('route skipped');
    commandOutput(false, { stdout, stderr }).notice('route skipped');
    expect(stderr.written).toEqual(['route skipped\n']);
  });
});

describe('failureOf()', () => {
  it.each([
    ['a usage error', new CliUsageError('bad flag'), { code: 'usage', exitCode: 2 }],
    [
      'an admin API 400',
      new AdminApiError(400, 'invalid_request', 'since: bad'),
      { code: 'invalid_request', exitCode: 2 },
    ],
    [
      'an admin API 404',
      new AdminApiError(404, 'event_not_found', 'event e not found'),
      { code: 'event_not_found', exitCode: 1 },
    ],
    [
      'an unreachable API',
      new AdminApiError(0, 'gateway_unreachable', 'no answer'),
      { code: 'gateway_unreachable', exitCode: 1 },
    ],
    [
      'a Hookline error',
      new ConfigError(['file not found: x'], 'x'),
      { code: 'invalid_config', exitCode: 1 },
    ],
    ['anything else', new TypeError('boom'), { code: 'operation_failed', exitCode: 1, message: 'boom' }],
  ])('maps %s', (_case, error, expected) => {
    expect(failureOf(error)).toMatchObject(expected);
  });
});

describe('printFailure()', () => {
  it('writes one JSON object under --json', () => {
    const stderr = sink(true);
    printFailure({ code: 'usage', message: 'bad "flag"' }, true, stderr);
    expect(stderr.written).toEqual(['{"error":{"code":"usage","message":"bad \\"flag\\""}}\n']);
  });

  it('writes hookline: and the message, the prefix red on a terminal', () => {
    const piped = sink(false);
    printFailure({ code: 'usage', message: 'bad flag' }, false, piped);
    expect(piped.written).toEqual(['hookline: bad flag\n']);
    const terminal = sink(true);
    const saved = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    try {
      printFailure({ code: 'usage', message: 'bad flag' }, false, terminal);
    } finally {
      if (saved !== undefined) process.env.NO_COLOR = saved;
    }
    expect(terminal.written).toEqual([`${ESC}[31mhookline:${ESC}[39m bad flag\n`]);
  });
});
