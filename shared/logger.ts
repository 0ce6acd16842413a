/** The logging surface shared code needs; Powertools' Logger satisfies it. */
export interface Log {
  debug(message: string, ...attributes: Record<string, unknown>[]): void;
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}

export const silentLog: Log = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** Keys put on log lines: fixed, or read again at each line (undefined: none). */
export type LogKeys =
  | Readonly<Record<string, unknown>>
  | (() => Readonly<Record<string, unknown>> | undefined);

/**
 * `log` with `keys` merged first into every line's attributes (one object, so any `Log` prints
 * them); a line's own attributes win over a key of the same name.
 */
export function withLogKeys(log: Log, keys: LogKeys): Log {
  const merge = (attributes: Record<string, unknown>[]) =>
    Object.assign({}, typeof keys === 'function' ? keys() : keys, ...attributes);
  return {
    debug: (message, ...attributes) => log.debug(message, merge(attributes)),
    info: (message, ...attributes) => log.info(message, merge(attributes)),
    warn: (message, ...attributes) => log.warn(message, merge(attributes)),
    error: (message, ...attributes) => log.error(message, merge(attributes)),
  };
}

/** `Root=1-<8 hex>-<24 hex>` in an X-Ray trace header (`_X_AMZN_TRACE_ID`, SQS `AWSTraceHeader`). */
const TRACE_ROOT = /(?:^|;)\s*Root=(1-[0-9a-f]{8}-[0-9a-f]{24})\s*(?:;|$)/i;

/**
 * The X-Ray trace id (`1-5759e988-bd862e3fe1be46a994272793`) of a trace header such as
 * `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`; undefined when
 * there is no header or it names no root.
 */
export function traceIdOf(header: string | undefined): string | undefined {
  return header === undefined ? undefined : TRACE_ROOT.exec(header)?.[1];
}

/**
 * The `traceId` key of an event's log lines (docs/architecture.md, "Tracing"): the X-Ray trace id of
 * `traceHeader` when the route traces and the header names one, else the event id, so the lines of
 * every stage can always be joined on it.
 */
export function correlationId(
  tracing: boolean | undefined,
  traceHeader: string | undefined,
  eventId: string,
): string {
  return (tracing === true ? traceIdOf(traceHeader) : undefined) ?? eventId;
}
