/**
 * In-module routing: `router().on('push', fn).on({ headers: {...} }, fn).otherwise(fn)` is itself a
 * handler function. Rules are tried in order, the first match runs; with no match and no
 * `otherwise` the event is recorded `ignored`.
 */
import { valueAtPath, valueText, wildcardToRegExp } from '../payload-path.js';
import { type HandlerContext, type HandlerFunction, type HooklineEvent, IGNORED } from './types.js';

/** A payload value matcher: string (`*`/`?` wildcards, against the value's text), RegExp, exact number/boolean. */
export type PayloadMatcher = string | RegExp | number | boolean;

export interface EventPattern {
  /** `event.type` equals this string, or matches this RegExp. */
  readonly type?: string | RegExp;
  /** Header name (case-insensitive) → exact value or RegExp. */
  readonly headers?: Readonly<Record<string, string | RegExp>>;
  /** Dotted payload path (e.g. `repository.name`) → matcher. */
  readonly payload?: Readonly<Record<string, PayloadMatcher>>;
}

/** A string matches `event.type` exactly; a pattern matches when every field it sets matches. */
export type EventMatcher = string | EventPattern;

export interface Router<TPayload = unknown> {
  (event: HooklineEvent<TPayload>, context: HandlerContext): Promise<unknown>;
  /** Adds a rule after the existing ones; returns a new router. */
  on(matcher: EventMatcher, fn: HandlerFunction<TPayload>): Router<TPayload>;
  /** Runs `fn` for events no rule matches; returns a new router. */
  otherwise(fn: HandlerFunction<TPayload>): Router<TPayload>;
}

type Predicate = (event: HooklineEvent<unknown>) => boolean;

interface Rule<TPayload> {
  readonly matches: Predicate;
  readonly fn: HandlerFunction<TPayload>;
}

export function router<TPayload = unknown>(): Router<TPayload> {
  return build<TPayload>([], undefined);
}

function build<TPayload>(
  rules: readonly Rule<TPayload>[],
  fallback: HandlerFunction<TPayload> | undefined,
): Router<TPayload> {
  const dispatch = async (event: HooklineEvent<TPayload>, context: HandlerContext): Promise<unknown> => {
    const rule = rules.find((candidate) => candidate.matches(event));
    if (rule !== undefined) return rule.fn(event, context);
    if (fallback !== undefined) return fallback(event, context);
    return IGNORED;
  };
  return Object.assign(dispatch, {
    on: (matcher: EventMatcher, fn: HandlerFunction<TPayload>) =>
      build([...rules, { matches: compileMatcher(matcher), fn }], fallback),
    otherwise: (fn: HandlerFunction<TPayload>) => build(rules, fn),
  });
}

/** Compiles a matcher once, when the rule is added. */
export function compileMatcher(matcher: EventMatcher): Predicate {
  if (typeof matcher === 'string') return (event) => event.type === matcher;
  const checks: Predicate[] = [];
  const { type, headers = {}, payload = {} } = matcher;
  if (type !== undefined) checks.push((event) => event.type !== undefined && matchText(type, event.type));
  for (const [name, expected] of Object.entries(headers)) {
    const header = name.toLowerCase();
    checks.push((event) => {
      const value = event.headers[header];
      return value !== undefined && matchText(expected, value);
    });
  }
  for (const [path, expected] of Object.entries(payload)) {
    const keys = path.split('.');
    const test = compilePayloadMatcher(expected);
    checks.push((event) => test(valueAtPath(event.payload, keys)));
  }
  return (event) => checks.every((check) => check(event));
}

function matchText(expected: string | RegExp, value: string): boolean {
  return typeof expected === 'string' ? value === expected : testRegExp(expected, value);
}

function compilePayloadMatcher(expected: PayloadMatcher): (value: unknown) => boolean {
  if (typeof expected === 'number' || typeof expected === 'boolean') return (value) => value === expected;
  const pattern = typeof expected === 'string' ? wildcardToRegExp(expected) : expected;
  return (value) => value !== undefined && testRegExp(pattern, valueText(value));
}

/** `RegExp.test` without the `lastIndex` state a global or sticky pattern carries between calls. */
function testRegExp(pattern: RegExp, value: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(value);
}
