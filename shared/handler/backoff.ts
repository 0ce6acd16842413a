/**
 * Retry delays (docs/architecture.md, "Guarantees"): exponential backoff with full jitter, as SQS
 * visibility timeouts.
 */
import { SQS_MAX_VISIBILITY_TIMEOUT_SECONDS } from '../aws-limits.js';
import type { RetryConfig } from '../config/types.js';

export type BackoffSettings = Pick<
  Required<RetryConfig>,
  'initialDelaySeconds' | 'multiplier' | 'maxDelaySeconds'
>;

/**
 * Seconds before attempt `attempt + 1`, after attempt `attempt` (1-based) failed: full jitter,
 * `floor(random() × min(maxDelay, initial × multiplier^(attempt−1)))`, never above 43 200.
 * `random` returns a number in [0, 1) (values outside are clamped to [0, 1]).
 */
export function backoffSeconds(
  attempt: number,
  settings: BackoffSettings,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const initial = Math.max(0, settings.initialDelaySeconds);
  // 0 × Infinity is NaN: a zero initial delay stays zero however large the exponent.
  const exponential = initial === 0 ? 0 : initial * settings.multiplier ** exponent;
  const ceiling = Math.min(settings.maxDelaySeconds, SQS_MAX_VISIBILITY_TIMEOUT_SECONDS, exponential);
  const fraction = Math.min(1, Math.max(0, random()));
  return Math.max(0, Math.floor(fraction * ceiling));
}
