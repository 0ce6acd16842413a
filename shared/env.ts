import { HooklineError } from './errors.js';

/** Thrown at cold start when the function's environment is incomplete. */
export class EnvironmentError extends HooklineError<'invalid_environment'> {
  override name = 'EnvironmentError';

  constructor(message: string) {
    super('invalid_environment', message);
  }
}

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '')
    throw new EnvironmentError(`environment variable ${name} is required`);
  return value;
}

export function optionalNumberEnv(
  name: string,
  fallback: number,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) {
    throw new EnvironmentError(`environment variable ${name} must be a non-negative number, got "${value}"`);
  }
  return number;
}

export function jsonEnv<T>(name: string, env: NodeJS.ProcessEnv = process.env): T {
  const text = requireEnv(name, env);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new EnvironmentError(`environment variable ${name} must hold JSON`);
  }
}
