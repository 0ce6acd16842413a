import type { z } from 'zod';
import { ADMIN_PATH_PREFIX, isAdminPath } from '../admin/paths.js';
import { ConfigError } from './errors.js';
import { normalizePath, pathToQueueName, ROUTE_PATH_PATTERN } from './queue-name.js';
import { configSchema, type ParsedRoute, routeSchema, verifySchemes } from './schema.js';
import type { ResolvedConfig, ResolvedRoute, VerifyConfig } from './types.js';

/** Longest SQS queue name (80) minus the `-dlq` suffix and a `<name>-` prefix of up to 30 characters. */
const MAX_QUEUE_NAME_LENGTH = 80 - '-dlq'.length - 31;

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

/** What `resolveConfig` fills in for each route field the config leaves out. */
export const ROUTE_DEFAULTS = {
  methods: ['POST'],
  enabled: true,
  dedupe: { source: 'scheme', windowSeconds: 86_400 },
  retry: { maxAttempts: 5, initialDelaySeconds: 10, multiplier: 2, maxDelaySeconds: 900 },
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  maxConcurrency: 2,
  timeoutSeconds: 30,
  memoryMb: 512,
  maxBodyBytes: 256 * 1024,
  retentionDays: 30,
  throttle: { rateLimit: 100, burstLimit: 200 },
} as const;

/**
 * Validates a config (any value: it usually comes from user code) and applies every default.
 * Throws a ConfigError naming every problem as `routes[2].verify.secret: required`.
 */
export function resolveConfig(input: unknown, source?: string): ResolvedConfig {
  const parsed = configSchema.safeParse(input);
  const problems = [...checkPaths(input), ...checkRoutes(parsed.success ? parsed.data.routes : input)];
  if (!parsed.success) problems.unshift(...parsed.error.issues.map((issue) => describeIssue(issue, input)));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems, source);
  return {
    name: parsed.data.name ?? 'hookline',
    routes: parsed.data.routes.map(applyDefaults),
  };
}

/** Path syntax, duplicates and queue-name collisions; run on the raw input so they show with schema errors. */
function checkPaths(input: unknown): string[] {
  const routes = (input as { routes?: unknown } | undefined)?.routes;
  if (!Array.isArray(routes)) return [];
  const problems: string[] = [];
  const seenPaths = new Map<string, number>();
  const seenQueues = new Map<string, number>();
  routes.forEach((route: unknown, index) => {
    const path = (route as { path?: unknown } | undefined)?.path;
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
    if (firstPath !== undefined) {
      problems.push(`${at}: "${path}" duplicates routes[${firstPath}].path`);
    } else if (firstQueue !== undefined) {
      problems.push(`${at}: queue name "${queueName}" collides with routes[${firstQueue}].path`);
    }
    seenPaths.set(normalizePath(path), index);
    seenQueues.set(queueName, index);
  });
  return problems;
}

/** Cross-field rules, for every route that passes the schema (even when another route does not). */
function checkRoutes(routes: readonly ParsedRoute[] | unknown): string[] {
  if (!Array.isArray(routes)) {
    const raw = (routes as { routes?: unknown } | undefined)?.routes;
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((route: unknown, index) => {
      const parsed = routeSchema.safeParse(route);
      return parsed.success ? checkRoute(parsed.data, index) : [];
    });
  }
  return routes.flatMap(checkRoute);
}

function checkRoute(route: ParsedRoute, index: number): string[] {
  const at = `routes[${index}]`;
  const problems: string[] = [];
  const retry = { ...ROUTE_DEFAULTS.retry, ...definedFields(route.retry) };
  if (retry.maxDelaySeconds < retry.initialDelaySeconds) {
    problems.push(
      `${at}.retry.maxDelaySeconds: ${retry.maxDelaySeconds} is below initialDelaySeconds ${retry.initialDelaySeconds}`,
    );
  }
  const batchSize = route.batchSize ?? ROUTE_DEFAULTS.batchSize;
  if (batchSize > 10 && (route.maxBatchingWindowSeconds ?? 0) < 1) {
    problems.push(`${at}.batchSize: above 10 needs maxBatchingWindowSeconds of at least 1 (an SQS rule)`);
  }
  const retentionSeconds = (route.retentionDays ?? ROUTE_DEFAULTS.retentionDays) * 86_400;
  if ((route.dedupe?.windowSeconds ?? 0) > retentionSeconds) {
    problems.push(`${at}.dedupe.windowSeconds: longer than the route's retention (${retentionSeconds} s)`);
  }
  return problems;
}

function applyDefaults(route: ParsedRoute): ResolvedRoute {
  const d = ROUTE_DEFAULTS;
  return {
    path: route.path,
    queueName: pathToQueueName(route.path),
    methods: route.methods ?? d.methods,
    enabled: route.enabled ?? d.enabled,
    verify: route.verify as VerifyConfig,
    dedupe: { ...d.dedupe, ...definedFields(route.dedupe) },
    handler: route.handler,
    retry: { ...d.retry, ...definedFields(route.retry) },
    batchSize: route.batchSize ?? d.batchSize,
    maxBatchingWindowSeconds: route.maxBatchingWindowSeconds ?? d.maxBatchingWindowSeconds,
    maxConcurrency: route.maxConcurrency ?? d.maxConcurrency,
    timeoutSeconds: route.timeoutSeconds ?? d.timeoutSeconds,
    memoryMb: route.memoryMb ?? d.memoryMb,
    maxBodyBytes: route.maxBodyBytes ?? d.maxBodyBytes,
    expectJson: route.expectJson ?? route.verify.scheme !== 'slack',
    retentionDays: route.retentionDays ?? d.retentionDays,
    throttle: { ...d.throttle, ...definedFields(route.throttle) },
    ...(route.filters !== undefined && { filters: route.filters }),
    ...(route.allowedSourceIps !== undefined && { allowedSourceIps: route.allowedSourceIps }),
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

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (value, key) =>
      typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined,
    input,
  );
}

/** Drops keys set to `undefined`, so `{ maxAttempts: undefined }` keeps the default. */
function definedFields<T extends object>(fields: T | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields ?? {}).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
