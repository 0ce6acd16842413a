/**
 * Loads a route's handler module outside Lambda (local stack, `hookline process`/`worker`): the
 * module's `handler` export is what `defineHandler` returned, and its `definition` is what the
 * handler runtime runs, the same object the Lambda path uses.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage, HooklineError } from '../errors.js';
import type { HandlerDefinition } from '../handler/types.js';

/** A handler module that cannot be used: missing file, failing import, or no `defineHandler` export. */
export class HandlerModuleError extends HooklineError<'handler_module_invalid'> {
  override name = 'HandlerModuleError';
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super('handler_module_invalid', `handler module ${file}: ${message}`, options);
    this.file = file;
  }
}

/**
 * Imports `entryFile` (TypeScript needs a TS-aware loader: the `hookline` CLI registers tsx) and
 * returns `module.handler.definition`. Throws HandlerModuleError naming the file when the module
 * does not export `handler = defineHandler(...)`.
 */
export async function loadHandlerDefinition(entryFile: string): Promise<HandlerDefinition> {
  const path = resolve(entryFile);
  if (!existsSync(path)) throw new HandlerModuleError(path, 'file not found');
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error: unknown) {
    const reason = errorMessage(error);
    throw new HandlerModuleError(path, `import failed: ${reason}`, { cause: error });
  }
  const handler = module.handler;
  if (handler === undefined) {
    throw new HandlerModuleError(
      path,
      'no `handler` export (use `export const handler = defineHandler(...)`)',
    );
  }
  const definition = (handler as { definition?: unknown } | null)?.definition;
  if (!isHandlerDefinition(definition)) {
    throw new HandlerModuleError(
      path,
      '`handler` was not made with defineHandler (it has no `definition`); wrap your function: `export const handler = defineHandler(async (event) => { ... })`',
    );
  }
  return definition;
}

function isHandlerDefinition(value: unknown): value is HandlerDefinition {
  return typeof value === 'object' && value !== null && typeof (value as { fn?: unknown }).fn === 'function';
}
