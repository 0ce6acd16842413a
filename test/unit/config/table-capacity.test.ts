import { describe, expect, expectTypeOf, it } from 'vitest';
import { TABLE_DEFAULTS } from '../../../shared/config/defaults.js';
import { ConfigError } from '../../../shared/config/errors.js';
import { tableCapacityProblems } from '../../../shared/config/table-capacity.js';
import {
  type CapacityScaling,
  defineConfig,
  type ResolvedTable,
  type TableConfig,
} from '../../../shared/config/types.js';
import { resolveConfig } from '../../../shared/config/validate.js';

const ROUTE = { path: '/hook/', verify: { scheme: 'none' }, handler: 'functions/handlers/hook.ts' } as const;

function resolveTable(table: unknown) {
  return resolveConfig({ routes: [ROUTE], table }).table;
}

/** The problems of the ConfigError `resolveConfig` throws, failing the test when none is thrown. */
function problemsOf(input: unknown): readonly string[] {
  try {
    resolveConfig(input);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected resolveConfig() to throw a ConfigError');
}

describe('table config', () => {
  describe('resolving', () => {
    it('is absent by default (the gateway then makes the table on-demand)', () => {
      // Act
      const resolved = resolveConfig({ routes: [ROUTE] });

      // Assert
      expect(resolved).not.toHaveProperty('table');
      expect(TABLE_DEFAULTS.billing).toBe('onDemand');
    });

    it('keeps billing onDemand as written', () => {
      expect(resolveTable({ billing: 'onDemand' })).toEqual({ billing: 'onDemand' });
    });

    it('gives a provisioned table the default reads and writes', () => {
      expect(resolveTable({ billing: 'provisioned' })).toEqual({
        billing: 'provisioned',
        read: { min: 5, max: 1000, targetUtilization: 70 },
        write: { min: 5, max: 1000, targetUtilization: 70 },
      });
      expect(TABLE_DEFAULTS.scaling).toEqual({ min: 5, max: 1000, targetUtilization: 70 });
    });

    it('fills in the fields a provisioned capacity leaves out, one by one', () => {
      // Arrange
      const table = {
        billing: 'provisioned',
        read: { targetUtilization: 50 },
        write: { min: 20, max: 4000 },
      };

      // Act
      const resolved = resolveTable(table);

      // Assert
      expect(resolved).toEqual({
        billing: 'provisioned',
        read: { min: 5, max: 1000, targetUtilization: 50 },
        write: { min: 20, max: 4000, targetUtilization: 70 },
      });
    });

    it.each([
      ['min equal to max', { min: 7, max: 7 }],
      ['the lowest target utilization', { targetUtilization: 20 }],
      ['the highest target utilization', { targetUtilization: 90 }],
      ['a fractional target utilization', { targetUtilization: 62.5 }],
      ['one capacity unit', { min: 1, max: 1 }],
    ])('accepts %s', (_name, write) => {
      expect(resolveTable({ billing: 'provisioned', write })).toMatchObject({ write });
    });
  });

  describe('validation', () => {
    it.each([
      ['a string', 'provisioned', 'table: must be an object such as { billing: "onDemand" }'],
      ['no billing', {}, 'table.billing: must be "onDemand" or "provisioned"'],
      [
        'an unknown billing',
        { billing: 'PAY_PER_REQUEST' },
        'table.billing: must be "onDemand" or "provisioned"',
      ],
      [
        'reads on an on-demand table',
        { billing: 'onDemand', read: { min: 5 } },
        'table.read: only with billing "provisioned" (on-demand capacity needs no settings)',
      ],
      [
        'writes on an on-demand table',
        { billing: 'onDemand', write: { max: 5 } },
        'table.write: only with billing "provisioned" (on-demand capacity needs no settings)',
      ],
      ['an unknown table field', { billing: 'provisioned', mode: 'auto' }, 'table.mode: unknown field'],
      [
        'a capacity that is not an object',
        { billing: 'provisioned', read: 100 },
        'table.read: must be an object such as { min: 5, max: 1000, targetUtilization: 70 }',
      ],
      [
        'an unknown capacity field',
        { billing: 'provisioned', read: { minimum: 1 } },
        'table.read.minimum: unknown field',
      ],
      ['a min of zero', { billing: 'provisioned', read: { min: 0 } }, 'table.read.min: must be at least 1'],
      [
        'a fractional min',
        { billing: 'provisioned', write: { min: 2.5 } },
        'table.write.min: must be a whole number',
      ],
      [
        'a max given as text',
        { billing: 'provisioned', write: { max: '100' } },
        'table.write.max: must be a number of capacity units',
      ],
      [
        'a target utilization below 20',
        { billing: 'provisioned', read: { targetUtilization: 10 } },
        'table.read.targetUtilization: must be 20–90 (percent)',
      ],
      [
        'a target utilization above 90',
        { billing: 'provisioned', write: { targetUtilization: 95 } },
        'table.write.targetUtilization: must be 20–90 (percent)',
      ],
      [
        'a target utilization given as a fraction',
        { billing: 'provisioned', write: { targetUtilization: 0.7 } },
        'table.write.targetUtilization: must be 20–90 (percent)',
      ],
      [
        'a target utilization given as text',
        { billing: 'provisioned', write: { targetUtilization: '70%' } },
        'table.write.targetUtilization: must be 20–90 (percent)',
      ],
      [
        'a max below the min',
        { billing: 'provisioned', read: { min: 50, max: 10 } },
        'table.read.max: 10 is below min (50)',
      ],
      [
        'a max below the default min',
        { billing: 'provisioned', write: { max: 3 } },
        'table.write.max: 3 is below min (5)',
      ],
    ])('rejects %s', (_name, table, problem) => {
      expect(problemsOf({ routes: [ROUTE], table })).toEqual([problem]);
    });

    it('reports every problem of the table at once, with the routes’ problems', () => {
      // Arrange
      const input = {
        routes: [{ ...ROUTE, retry: { maxAttempts: 0 } }],
        table: {
          billing: 'provisioned',
          read: { min: 0, targetUtilization: 99 },
          write: { min: 10, max: 5 },
        },
      };

      // Act
      const problems = problemsOf(input);

      // Assert
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^routes\[0\]\.retry\.maxAttempts: /),
          'table.read.min: must be at least 1',
          'table.read.targetUtilization: must be 20–90 (percent)',
          'table.write.max: 5 is below min (10)',
        ]),
      );
      expect(problems).toHaveLength(4);
    });
  });

  describe('tableCapacityProblems()', () => {
    it('finds nothing wrong with no table or a valid one', () => {
      expect(tableCapacityProblems(undefined, 'table')).toEqual([]);
      expect(tableCapacityProblems({ billing: 'onDemand' }, 'table')).toEqual([]);
      expect(
        tableCapacityProblems(
          {
            billing: 'provisioned',
            read: TABLE_DEFAULTS.scaling,
            write: { min: 1, max: 10, targetUtilization: 45 },
          },
          'table',
        ),
      ).toEqual([]);
    });

    it('names each problem of a table built in code under the given prefix', () => {
      const table = {
        billing: 'provisioned',
        read: { min: 10, max: 2, targetUtilization: 70 },
        write: { min: 1, max: 10, targetUtilization: 100 },
      };

      expect(tableCapacityProblems(table, 'config table')).toEqual([
        'config table.read.max: 2 is below min (10)',
        'config table.write.targetUtilization: must be 20–90 (percent)',
      ]);
    });
  });

  describe('types', () => {
    it('let a config file write only billing, or any capacity field', () => {
      expectTypeOf(defineConfig).toBeCallableWith({ routes: [ROUTE], table: { billing: 'onDemand' } });
      expectTypeOf(defineConfig).toBeCallableWith({
        routes: [ROUTE],
        table: { billing: 'provisioned', write: { max: 4000 } },
      });
      expectTypeOf<TableConfig['billing']>().toEqualTypeOf<'onDemand' | 'provisioned'>();
    });

    it('give a resolved provisioned table every capacity field', () => {
      expectTypeOf<
        Extract<ResolvedTable, { billing: 'provisioned' }>['write']
      >().toEqualTypeOf<CapacityScaling>();
      expectTypeOf<CapacityScaling>().toEqualTypeOf<{
        readonly min: number;
        readonly max: number;
        readonly targetUtilization: number;
      }>();
    });
  });
});
