import { describe, expect, it } from 'vitest';
import { MAX_COOL_DOWN_FACTOR } from '../../../shared/circuit/cool-down.js';
import { CircuitBreaker, type CircuitChange } from '../../../shared/worker/circuit-breaker.js';

/** A breaker on a hand-moved clock, with its state changes recorded. */
function breaker(consecutiveFailures = 3, coolDownSeconds = 2) {
  let nowMs = 1_000_000;
  const changes: CircuitChange[] = [];
  const circuit = new CircuitBreaker(
    { consecutiveFailures, coolDownSeconds },
    { now: () => nowMs, onChange: (change) => changes.push(change) },
  );
  return {
    circuit,
    changes,
    advance: (ms: number) => {
      nowMs += ms;
    },
    /** Opens the circuit with `consecutiveFailures` failures. */
    open: () => {
      for (let i = 0; i < consecutiveFailures; i += 1) circuit.record('failed');
    },
  };
}

describe('CircuitBreaker', () => {
  it('starts closed and lets every loop receive', () => {
    const { circuit, changes } = breaker();
    expect(circuit.state()).toBe('closed');
    expect(circuit.permit()).toEqual({ kind: 'receive' });
    expect(circuit.permit()).toEqual({ kind: 'receive' });
    expect(circuit.snapshot()).toEqual({ state: 'closed', failures: 0, coolDownSeconds: 2 });
    expect(changes).toEqual([]);
  });

  it('opens after N consecutive failed attempts', () => {
    const { circuit, changes } = breaker(3, 2);
    circuit.record('failed');
    circuit.record('failed');
    expect(circuit.state()).toBe('closed');
    circuit.record('failed');
    expect(circuit.state()).toBe('open');
    expect(changes).toEqual([{ state: 'open', failures: 3, coolDownSeconds: 2 }]);
    expect(circuit.permit()).toEqual({ kind: 'wait', ms: 2000 });
    expect(circuit.snapshot()).toEqual({
      state: 'open',
      failures: 3,
      coolDownSeconds: 2,
      openedAt: new Date(1_000_000).toISOString(),
      halfOpensAt: new Date(1_002_000).toISOString(),
    });
  });

  it('opens after a single failure with consecutiveFailures 1', () => {
    const { circuit } = breaker(1, 5);
    circuit.record('failed');
    expect(circuit.state()).toBe('open');
  });

  it('resets the count on a delivered or ignored attempt', () => {
    const { circuit } = breaker(3);
    circuit.record('failed');
    circuit.record('failed');
    circuit.record('delivered');
    circuit.record('failed');
    circuit.record('failed');
    expect(circuit.state()).toBe('closed');
    circuit.record('ignored');
    expect(circuit.snapshot().failures).toBe(0);
  });

  it('neither counts nor resets a PermanentError (the event is at fault, not the downstream)', () => {
    const { circuit } = breaker(3);
    circuit.record('failed');
    circuit.record('failed');
    for (let i = 0; i < 10; i += 1) circuit.record('permanent');
    expect(circuit.snapshot().failures).toBe(2);
    expect(circuit.state()).toBe('closed');
    circuit.record('failed');
    expect(circuit.state()).toBe('open');
  });

  it('waits out the cool-down, then is half-open with one probe at a time', () => {
    const { circuit, changes, advance, open } = breaker(3, 2);
    open();
    advance(1500);
    expect(circuit.permit()).toEqual({ kind: 'wait', ms: 500 });
    advance(500);
    expect(circuit.state()).toBe('half-open');
    expect(changes.at(-1)).toEqual({ state: 'half-open', failures: 3, coolDownSeconds: 2 });
    expect(circuit.snapshot()).toEqual({
      state: 'half-open',
      failures: 3,
      coolDownSeconds: 2,
      openedAt: new Date(1_000_000).toISOString(),
    });
    expect(circuit.permit()).toEqual({ kind: 'probe' });
    expect(circuit.permit()).toEqual({ kind: 'wait', ms: 1000 });
  });

  it('ignores outcomes of batches received before it opened', () => {
    const { circuit, advance, open } = breaker(3, 2);
    open();
    circuit.record('delivered');
    circuit.record('failed');
    expect(circuit.snapshot()).toMatchObject({ state: 'open', failures: 3 });
    advance(2000);
    expect(circuit.permit()).toEqual({ kind: 'probe' });
    circuit.record('delivered'); // another loop's late batch: the probe decides
    expect(circuit.state()).toBe('half-open');
  });

  it('closes on a delivered probe and restores the configured cool-down', () => {
    const { circuit, changes, advance, open } = breaker(3, 2);
    open();
    advance(2000);
    circuit.permit();
    circuit.probeSettled('failed');
    expect(circuit.snapshot().coolDownSeconds).toBe(4);
    advance(4000);
    expect(circuit.permit()).toEqual({ kind: 'probe' });
    circuit.probeSettled('delivered');
    expect(circuit.state()).toBe('closed');
    expect(changes.at(-1)).toEqual({ state: 'closed', failures: 0, coolDownSeconds: 2 });
    expect(circuit.permit()).toEqual({ kind: 'receive' });
    // The count starts again from zero.
    circuit.record('failed');
    circuit.record('failed');
    expect(circuit.state()).toBe('closed');
    circuit.record('failed');
    expect(circuit.permit()).toEqual({ kind: 'wait', ms: 2000 });
  });

  it('closes on an ignored probe', () => {
    const { circuit, advance, open } = breaker();
    open();
    advance(2000);
    circuit.permit();
    circuit.probeSettled('ignored');
    expect(circuit.state()).toBe('closed');
  });

  it('opens again on a failed probe, doubling the cool-down up to 10× the configured one', () => {
    const { circuit, changes, advance, open } = breaker(3, 2);
    open();
    const coolDowns: number[] = [];
    for (let probe = 0; probe < 6; probe += 1) {
      const { coolDownSeconds } = circuit.snapshot();
      advance(coolDownSeconds * 1000 - 1);
      expect(circuit.state()).toBe('open');
      advance(1);
      expect(circuit.permit()).toEqual({ kind: 'probe' });
      circuit.probeSettled('failed');
      expect(circuit.state()).toBe('open');
      coolDowns.push(circuit.snapshot().coolDownSeconds);
    }
    expect(coolDowns).toEqual([4, 8, 16, 20, 20, 20]);
    expect(MAX_COOL_DOWN_FACTOR).toBe(10);
    expect(changes.filter((change) => change.state === 'open').map((change) => change.failures)).toEqual([
      3, 4, 5, 6, 7, 8, 9,
    ]);
  });

  it('gives the probe back when it ran no attempt (empty queue, duplicate, PermanentError)', () => {
    const { circuit, changes, advance, open } = breaker(3, 2);
    open();
    advance(2000);
    expect(circuit.permit()).toEqual({ kind: 'probe' });
    circuit.probeSettled(undefined);
    expect(circuit.permit()).toEqual({ kind: 'probe' });
    circuit.probeSettled('permanent');
    expect(circuit.state()).toBe('half-open');
    expect(circuit.permit()).toEqual({ kind: 'probe' });
    expect(changes.map((change) => change.state)).toEqual(['open', 'half-open']);
  });

  describe('reset()', () => {
    it('closes an open circuit at once, with no failures and the configured cool-down', () => {
      const { circuit, changes, advance, open } = breaker(3, 2);
      open();
      advance(2000);
      circuit.permit();
      circuit.probeSettled('failed');
      expect(circuit.snapshot()).toMatchObject({ state: 'open', failures: 4, coolDownSeconds: 4 });

      circuit.reset();

      expect(circuit.snapshot()).toEqual({ state: 'closed', failures: 0, coolDownSeconds: 2 });
      expect(changes.at(-1)).toEqual({ state: 'closed', failures: 0, coolDownSeconds: 2 });
      expect(circuit.permit()).toEqual({ kind: 'receive' });
    });

    it('lets a probe that was out settle nothing', () => {
      const { circuit, advance, open } = breaker(3, 2);
      open();
      advance(2000);
      expect(circuit.permit()).toEqual({ kind: 'probe' });

      circuit.reset();
      circuit.probeSettled('failed');

      expect(circuit.state()).toBe('closed');
      expect(circuit.snapshot().failures).toBe(0);
    });

    it('clears the count of a closed circuit without reporting a change', () => {
      const { circuit, changes } = breaker(3, 2);
      circuit.record('failed');
      circuit.record('failed');

      circuit.reset();
      circuit.record('failed');
      circuit.record('failed');

      expect(circuit.state()).toBe('closed');
      expect(changes).toEqual([]);
    });
  });

  it('survives a throwing listener and clamps nonsense settings', () => {
    const circuit = new CircuitBreaker(
      { consecutiveFailures: 0, coolDownSeconds: 0 },
      {
        now: () => 0,
        onChange: () => {
          throw new Error('listener');
        },
      },
    );
    circuit.record('failed');
    expect(circuit.snapshot()).toMatchObject({ state: 'open', coolDownSeconds: 1 });
  });
});
