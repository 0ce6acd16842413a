/**
 * What the local stack's outage tests share: a handler module that fails while a flag file exists
 * (the downstream "down"), a log that keeps every line, posting an event, and waiting for a
 * condition with the log in the failure message.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Log } from '../../shared/logger.js';
import { repositorySource } from './temp-project.js';

/** The flag file, in the project folder: while it exists the handler throws. */
export const DOWNSTREAM_FLAG = 'downstream-down';

/** A handler module's source that throws while `<projectFolder>/downstream-down` exists. */
export function flakyHandlerSource(projectFolder: string): string {
  return `import { existsSync } from 'node:fs';
import { defineHandler } from ${repositorySource('shared/handler/index.ts')};
const flag = ${JSON.stringify(join(projectFolder, DOWNSTREAM_FLAG))};
export const handler = defineHandler(async () => {
  if (existsSync(flag)) throw new Error('downstream is down');
});
`;
}

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** A `Log` that keeps its lines, each with its attributes merged. */
export function keptLog(): Log & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const keep =
    (level: LogLine['level']) =>
    (message: string, ...attributes: Record<string, unknown>[]) =>
      void lines.push({ level, message, fields: Object.assign({}, ...attributes) });
  return { lines, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

/** POSTs `{ order }` as JSON to `url` and returns the 202's event id. */
export async function postOrder(url: string, order: number): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ order }),
  });
  const reply = (await response.json()) as { id: string };
  expect(response.status, JSON.stringify(reply)).toBe(202);
  return reply.id;
}

/** Polls `probe` every 100 ms until it returns a value; on timeout, throws with the log's lines. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  lines: readonly LogLine[],
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) {
      const seen = lines.map((line) => `${line.message} ${JSON.stringify(line.fields)}`).join('\n');
      throw new Error(`timed out waiting for ${what}; log:\n${seen}`);
    }
    await new Promise((wake) => setTimeout(wake, 100));
  }
}
