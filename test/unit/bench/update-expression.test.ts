import { describe, expect, it } from 'vitest';
import { parseUpdateExpression } from '../../bench/update-expression.js';

describe('parseUpdateExpression()', () => {
  it('reads SET values and REMOVEd attributes, resolving name and value placeholders', () => {
    const changes = parseUpdateExpression(
      'SET #s = :to, lockOwner = :owner REMOVE lockExpiresAt',
      { '#s': 'status' },
      { ':to': { S: 'delivered' }, ':owner': { S: 'w1' } },
    );
    expect(Object.fromEntries(changes)).toEqual({
      status: { kind: 'set', value: { S: 'delivered' } },
      lockOwner: { kind: 'set', value: { S: 'w1' } },
      lockExpiresAt: { kind: 'removed' },
    });
  });

  it('reads if_not_exists as a value set only when missing', () => {
    const changes = parseUpdateExpression(
      'SET gsi1pk = if_not_exists(gsi1pk, :k)',
      {},
      { ':k': { S: 'ROUTE#r' } },
    );
    expect(changes.get('gsi1pk')).toEqual({ kind: 'setIfMissing', value: { S: 'ROUTE#r' } });
  });

  it('does not split at commas inside function calls, and calls computed values changed', () => {
    const changes = parseUpdateExpression(
      'SET attempts = list_append(if_not_exists(attempts, :empty), :a), #n = :v',
      { '#n': 'updatedAt' },
      { ':empty': { L: [] }, ':a': { L: [] }, ':v': { S: '2026' } },
    );
    expect(changes.get('attempts')).toEqual({ kind: 'changed' });
    expect(changes.get('updatedAt')).toEqual({ kind: 'set', value: { S: '2026' } });
  });

  it('calls a nested path, ADD and DELETE a change of the top-level attribute', () => {
    const changes = parseUpdateExpression(
      'SET a.b = :v ADD counter :one DELETE tags :t REMOVE c[0]',
      {},
      {
        ':v': { S: 'x' },
        ':one': { N: '1' },
        ':t': { SS: ['x'] },
      },
    );
    expect(Object.fromEntries(changes)).toEqual({
      a: { kind: 'changed' },
      counter: { kind: 'changed' },
      tags: { kind: 'changed' },
      c: { kind: 'changed' },
    });
  });

  it('reads keywords in any case', () => {
    const changes = parseUpdateExpression('set a = :v remove b', {}, { ':v': { N: '1' } });
    expect([...changes.keys()]).toEqual(['a', 'b']);
  });

  it('throws on a placeholder it cannot resolve', () => {
    expect(() => parseUpdateExpression('SET #x = :v', {}, { ':v': { S: 'x' } })).toThrow(/#x/);
    expect(() => parseUpdateExpression('SET a = :v')).toThrow(/:v/);
  });
});
