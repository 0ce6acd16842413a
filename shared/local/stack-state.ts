/**
 * The state file of a running local stack (`.hookline/local.json`), which the CLI, `hookline worker`
 * and the tests read to find its endpoints: one stack per config folder at a time.
 */
import {
  isLocalStateLive,
  type LocalState,
  readLocalState,
  removeLocalState,
  writeLocalState,
} from '../local-state/state-file.js';
import { LocalStackError } from './emulator-processes.js';
import type { Startup } from './startup.js';

/**
 * Refuses to start a second stack for the same config folder while the first one runs; removes
 * the file a stack killed without cleanup left behind, so no command reads stale endpoints.
 */
export function checkNotRunning(stateFile: string): void {
  let state: LocalState | undefined;
  try {
    state = readLocalState(stateFile);
  } catch {
    removeLocalState(stateFile); // Unreadable: nothing can use it.
    return;
  }
  if (state === undefined) return;
  if (state.pid !== process.pid && isLocalStateLive(state)) {
    throw new LocalStackError(
      'already_running',
      `a local stack for this config is already running (pid ${state.pid}, ${state.httpUrl}; see ${stateFile}): stop it first`,
    );
  }
  removeLocalState(stateFile);
}

/**
 * Writes the state file, removed on stop (first of the cleanups) and also when this process exits
 * without stop() (an uncaught error). Returns its removal, for a forced exit.
 */
export function publishLocalState(stateFile: string, state: LocalState, startup: Startup): () => void {
  writeLocalState(stateFile, state);
  const removeState = () => removeLocalState(stateFile);
  process.once('exit', removeState);
  startup.onCleanup(() => {
    process.removeListener('exit', removeState);
    removeState();
  });
  return removeState;
}
