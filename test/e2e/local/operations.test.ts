/**
 * The operations suite (../operations/operations-suite.ts) against the whole local stack
 * (`startDevStack`, what `npm start` runs), whose admin API answers callers on this machine.
 */
import { join } from 'node:path';
import { startDevStack } from '../../../shared/local/dev-stack.js';
import { freePort } from '../../helpers/emulators.js';
import { describeOperations } from '../operations/operations-suite.js';

describeOperations('operations through the local stack', async (project) => {
  const stack = await startDevStack({
    configFile: project.configFile,
    port: await freePort(),
    sqsPort: await freePort(),
    dynamoDbPort: await freePort(),
    envFile: join(project.folder, '.env'),
    waitSeconds: 1,
  });
  return { url: stack.url, publicUrl: stack.url, stop: () => stack.stop() };
});
