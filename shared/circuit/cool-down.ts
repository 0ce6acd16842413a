/** The cool-down rules every circuit breaker follows, deployed or not. */

/** The longest cool-down, as a multiple of the configured one. */
export const MAX_COOL_DOWN_FACTOR = 10;

/** The cool-down after a failed probe: doubled, at most `MAX_COOL_DOWN_FACTOR` times the configured one. */
export function nextCoolDown(currentSeconds: number, configuredSeconds: number): number {
  return Math.min(currentSeconds * 2, configuredSeconds * MAX_COOL_DOWN_FACTOR);
}
