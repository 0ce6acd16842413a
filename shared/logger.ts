/** The logging surface shared code needs; Powertools' Logger satisfies it. */
export interface Log {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}

export const silentLog: Log = {
  info: () => {},
  warn: () => {},
  error: () => {},
};
