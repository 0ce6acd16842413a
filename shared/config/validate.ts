import type { z } from 'zod';
import { SQS_ESM_MAX_BATCH_SIZE_WITHOUT_WINDOW, SQS_MAX_QUEUE_NAME_LENGTH } from '../aws-limits.js';
import { ADMIN_PATH_PREFIX, isAdminPath } from '../http/paths.js';
import { routeTag } from '../ids.js';
import { ConfigError } from './errors.js';
import { normalizePath, pathToQueueName, ROUTE_PATH_PATTERN } from './queue-name.js';
import { configSchema, routeSchema } from './schema.js';
import { STACK_NAME_MAX_LENGTH } from './stack-name.js';
import type { ResolvedConfig, ResolvedRoute } from './types.js';
import { verifySchemes } from './verify-schema.js';

type ParsedRoute = z.output<typeof routeSchema>;

/** Longest SQS queue name minus the `-dlq` suffix and the `<name>-` prefix. */
const MAX_QUEUE_NAME_LENGTH = SQS_MAX_QUEUE_NAME_LENGTH - '-dlq'.length - (STACK_NAME_MAX_LENGTH + 1);

/**
 * True when no webhook route may use `path`: the admin API's prefix (`ADMIN_PATH_PREFIX`,
 * `/_hookline`) itself or a path below it, in any letter case (`/_hookline`, `/_hookline/x/`,
 * `/_HOOKLINE/x`). The prefix is a whole segment: `/_hooklinex/` is an ordinary route.
 *
 * Case-insensitive although API Gateway matches paths case-sensitively, so that no route looks
 * like an admin endpoint. Config validation and the gateway construct both check with this.
 */
export function isReservedPath(path: string): boolean {
  return isAdminPath(path.toLowerCase());
}

/**
 * Validates a config (any value: it usually comes from user code) and applies every default.
 * Throws a ConfigError naming every problem as `routes[2].verify.secret: required`.
 */
export function resolveConfig(input: unknown, source?: string): ResolvedConfig {
  const parsed = configSchema.safeParse(input);
  const problems = [...checkPaths(input), ...checkRoutes(input)];
  if (!parsed.success) problems.unshift(...parsed.error.issues.map((issue) => describeIssue(issue, input)));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems, source);
  const { name, metrics, alarms, tracing, logs, table } = parsed.data;
  return {
    name,
    routes: parsed.data.routes.map((route) => toResolvedRoute(route, tracing)),
    ...(metrics !== undefined && { metrics }),
    ...(alarms !== undefined && { alarms }),
    ...(tracing !== undefined && { tracing }),
    ...(logs !== undefined && { logs }),
    ...(table !== undefined && { table }),
  };
}

/** Path syntax, duplicates, queue-name and route-tag collisions; run on the raw input so they show with schema errors. */
function checkPaths(input: unknown): string[] {
  const problems: string[] = [];
  const seenPaths = new Map<string, number>();
  const seenQueues = new Map<string, number>();
  const seenTags = new Map<string, number>();
  rawRoutes(input).forEach((route, index) => {
    const path = fieldOf(route, 'path');
    if (typeof path !== 'string') return;
    const at = `routes[${index}].path`;
    const queueName = pathToQueueName(path);
    if (!ROUTE_PATH_PATTERN.test(path)) {
      problems.push(
        `${at}: "${path}" must look like /segment/segment/ (letters, digits, - and _; no query, no wildcards)`,
      );
      return;
    }
    if (isReservedPath(path)) {
      problems.push(`${at}: paths under ${ADMIN_PATH_PREFIX} are reserved for Hookline's own endpoints`);
    }
    if (queueName.length > MAX_QUEUE_NAME_LENGTH) {
      problems.push(`${at}: queue name "${queueName}" is longer than ${MAX_QUEUE_NAME_LENGTH} characters`);
    }
    const firstPath = seenPaths.get(normalizePath(path));
    const firstQueue = seenQueues.get(queueName);
    const tag = routeTag(path);
    const firstTag = seenTags.get(tag);
    if (firstPath !== undefined) {
      problems.push(`${at}: "${path}" duplicates routes[${firstPath}].path`);
    } else if (firstQueue !== undefined) {
      problems.push(`${at}: queue name "${queueName}" collides with routes[${firstQueue}].path`);
    } else if (firstTag !== undefined) {
      // 40 bits of SHA-256: about one config in 10^10 with 100 routes ever meets this.
      problems.push(
        `${at}: "${path}" has the same route tag (${tag}, the hash its event ids and keys carry) as ` +
          `routes[${firstTag}].path; rename one of the two paths`,
      );
    }
    seenPaths.set(normalizePath(path), index);
    seenQueues.set(queueName, index);
    seenTags.set(tag, index);
  });
  return problems;
}

/** Cross-field rules, for every route that passes the schema (even when another route does not). */
function checkRoutes(input: unknown): string[] {
  return rawRoutes(input).flatMap((route, index) => {
    const parsed = routeSchema.safeParse(route);
    return parsed.success ? checkRoute(parsed.data, index) : [];
  });
}

function checkRoute(route: ParsedRoute, index: number): string[] {
  const at = `routes[${index}]`;
  const problems: string[] = [];
  const { retry } = route;
  if (retry.maxDelaySeconds < retry.initialDelaySeconds) {
    problems.push(
      `${at}.retry.maxDelaySeconds: ${retry.maxDelaySeconds} is below initialDelaySeconds ${retry.initialDelaySeconds}`,
    );
  }
  if (route.batchSize > SQS_ESM_MAX_BATCH_SIZE_WITHOUT_WINDOW && route.maxBatchingWindowSeconds < 1) {
    problems.push(
      `${at}.batchSize: above ${SQS_ESM_MAX_BATCH_SIZE_WITHOUT_WINDOW} needs maxBatchingWindowSeconds of at least 1 (an SQS rule)`,
    );
  }
  const retentionSeconds = route.retentionDays * 86_400;
  if (route.dedupe.windowSeconds > retentionSeconds) {
    problems.push(`${at}.dedupe.windowSeconds: longer than the route's retention (${retentionSeconds} s)`);
  }
  return problems;
}

/**
 * The parsed route (defaults applied by the schema) with its queue name, `expectJson` and
 * `tracing` (the route's own, else the config's; only present when on).
 */
function toResolvedRoute(route: ParsedRoute, configTracing: boolean | undefined): ResolvedRoute {
  // Listed field by field to keep the order of the route's JSON (the Lambdas' environment) stable.
  return {
    path: route.path,
    queueName: pathToQueueName(route.path),
    methods: route.methods,
    enabled: route.enabled,
    verify: route.verify,
    dedupe: route.dedupe,
    handler: route.handler,
    retry: route.retry,
    batchSize: route.batchSize,
    maxBatchingWindowSeconds: route.maxBatchingWindowSeconds,
    maxConcurrency: route.maxConcurrency,
    timeoutSeconds: route.timeoutSeconds,
    memoryMb: route.memoryMb,
    maxBodyBytes: route.maxBodyBytes,
    expectJson: route.expectJson ?? route.verify.scheme !== 'slack',
    retentionDays: route.retentionDays,
    shards: route.shards,
    throttle: route.throttle,
    ...(route.filters !== undefined && { filters: route.filters }),
    ...(route.allowedSourceIps !== undefined && { allowedSourceIps: route.allowedSourceIps }),
    ...(route.metrics !== undefined && { metrics: route.metrics }),
    ...((route.tracing ?? configTracing) === true && { tracing: true }),
    ...(route.alarms !== undefined && { alarms: route.alarms }),
    ...(route.circuitBreaker !== undefined && { circuitBreaker: route.circuitBreaker }),
  };
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const at = formatPath(issue.path);
  const prefix = at === '' ? '' : `${at}: `;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `${prefix}required`;
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator === 'scheme') {
    if (valueAt(input, issue.path) === undefined) return `${prefix}required`;
    const scheme = JSON.stringify(valueAt(input, issue.path));
    return `${prefix}unknown scheme ${scheme} (expected one of ${verifySchemes.join(', ')})`;
  }
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${at === '' ? key : `${at}.${key}`}: unknown field`).join('; ');
  }
  return `${prefix}${issue.message}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? String(key) : `${text}.${String(key)}`;
  }, '');
}

/** The raw input's `routes`, or none when it has no array there. */
function rawRoutes(input: unknown): readonly unknown[] {
  const routes = fieldOf(input, 'routes');
  return Array.isArray(routes) ? routes : [];
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((value, key) => fieldOf(value, key), input);
}

function fieldOf(value: unknown, key: PropertyKey): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}
