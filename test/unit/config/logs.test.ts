import { describe, expect, it } from 'vitest';
import { LOG_DEFAULTS } from '../../../shared/config/defaults.js';
import { ConfigError } from '../../../shared/config/errors.js';
import { resolveConfig } from '../../../shared/config/validate.js';

const ROUTE = { path: '/hook/', verify: { scheme: 'none' }, handler: 'functions/handlers/hook.ts' } as const;

function problemsOf(logs: unknown): readonly string[] {
  try {
    resolveConfig({ routes: [ROUTE], logs });
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected resolveConfig() to throw a ConfigError');
}

describe('logs config', () => {
  it('is absent by default: the functions then log at INFO without Lambda invocation reports', () => {
    expect(resolveConfig({ routes: [ROUTE] })).not.toHaveProperty('logs');
    expect(LOG_DEFAULTS).toEqual({ level: 'INFO', invocationReports: false });
  });

  it('fills in what a logs block leaves out', () => {
    expect(resolveConfig({ routes: [ROUTE], logs: {} }).logs).toEqual({
      level: 'INFO',
      invocationReports: false,
    });
    expect(
      resolveConfig({ routes: [ROUTE], logs: { level: 'DEBUG', invocationReports: true } }).logs,
    ).toEqual({
      level: 'DEBUG',
      invocationReports: true,
    });
  });

  it.each([
    [{ level: 'info' }, 'logs.level: must be one of "DEBUG", "INFO", "WARN", "ERROR"'],
    [{ level: 'TRACE' }, 'logs.level: must be one of "DEBUG", "INFO", "WARN", "ERROR"'],
    [{ invocationReports: 'yes' }, 'logs.invocationReports: must be true or false'],
    ['INFO', "logs: must be an object such as { level: 'INFO', invocationReports: false }"],
  ])('refuses %j with a message naming the field', (logs, problem) => {
    expect(problemsOf(logs)).toEqual([problem]);
  });

  it('refuses a key it does not know', () => {
    expect(problemsOf({ level: 'INFO', retentionDays: 7 }).join('\n')).toMatch(/^logs.*retentionDays/m);
  });
});
