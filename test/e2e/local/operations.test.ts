/**
 * The operations suite (../operations/operations-suite.ts) against the whole local stack
 * (`startDevStack`, what `npm start` runs), whose admin API answers callers on this machine.
 */
import { startProjectStack } from '../../helpers/temp-project.js';
import { describeOperations } from '../operations/operations-suite.js';

describeOperations('operations through the local stack', async (project) => {
  const stack = await startProjectStack(project.folder, project.configFile);
  return { url: stack.url, publicUrl: stack.url, stop: () => stack.stop() };
});
