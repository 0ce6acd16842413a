/**
 * The rule for the config's `name`, which prefixes every resource name (queues, functions, the API).
 * The config schema and the gateway construct both check it with this.
 */

/** What resource names are prefixed with when the config sets no `name`. */
export const DEFAULT_STACK_NAME = 'hookline';
export const STACK_NAME_MAX_LENGTH = 30;
export const STACK_NAME_PATTERN = new RegExp(`^[a-z][a-z0-9-]{0,${STACK_NAME_MAX_LENGTH - 1}}$`);
/** The rule as the end of a sentence: "name must be …". */
export const STACK_NAME_RULE = `must be 1-${STACK_NAME_MAX_LENGTH} lower-case letters, digits or dashes, starting with a letter`;

export function isValidStackName(name: string): boolean {
  return STACK_NAME_PATTERN.test(name);
}
