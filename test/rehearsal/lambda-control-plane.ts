/**
 * Lambda's API for the stack's event source mappings, over real HTTP (REST-JSON), bound to the
 * mapping stand-ins (./event-source-mappings.ts): `ListEventSourceMappings` filtered by
 * `EventSourceArn` and `FunctionName` (a name or an ARN, as Lambda takes it), and
 * `UpdateEventSourceMapping`, which really switches the mapping's polling and sets its batch size.
 * Answers have the shapes of the API reference (`EventSourceMappingConfiguration`); an unknown UUID
 * or function is `ResourceNotFoundException` (404), a change the stand-in does not make is refused
 * rather than ignored.
 */
import type { EventSourceMapping } from './event-source-mappings.js';
import { type RestAnswer, serveRestJson } from './rest-json-server.js';
import type { StandIn } from './stand-ins.js';

/** SQS: at most 10 messages a batch without a batching window, 10 000 with one. */
const MAX_BATCH_SIZE = { withoutWindow: 10, withWindow: 10_000 } as const;

/** A function of the deployment: what `FunctionName` may name. */
export interface DeployedFunction {
  readonly name: string;
  readonly arn: string;
}

function error(status: number, type: string, message: string): RestAnswer {
  return { status, errorType: type, body: { Type: 'User', Message: message } };
}

const notFound = error(404, 'ResourceNotFoundException', 'The resource you requested does not exist.');
const invalid = (message: string) => error(400, 'InvalidParameterValueException', message);

/** `EventSourceMappingConfiguration` of `mapping`, in `state`. */
function configuration(mapping: EventSourceMapping, state: string) {
  return {
    UUID: mapping.uuid,
    EventSourceMappingArn: mapping.arn,
    EventSourceArn: mapping.queueArn,
    FunctionArn: mapping.functionArn,
    BatchSize: mapping.batchSize,
    MaximumBatchingWindowInSeconds: mapping.maximumBatchingWindowInSeconds,
    FunctionResponseTypes: mapping.functionResponseTypes,
    ...(mapping.maximumConcurrency !== undefined && {
      ScalingConfig: { MaximumConcurrency: mapping.maximumConcurrency },
    }),
    LastModified: mapping.lastModified.getTime() / 1000,
    State: state,
    StateTransitionReason: 'USER_INITIATED',
  };
}

/** The function `FunctionName` names: its name, its ARN, or its partial ARN `<account>:function:<name>`. */
function findFunction(functions: readonly DeployedFunction[], name: string): DeployedFunction | undefined {
  return functions.find(
    (fn) =>
      fn.name === name || fn.arn === name || (fn.arn.endsWith(`:${name}`) && name.includes(':function:')),
  );
}

const UPDATABLE = new Set(['UUID', 'Enabled', 'BatchSize', 'FunctionName']);

function update(
  mappings: readonly EventSourceMapping[],
  functions: readonly DeployedFunction[],
  input: Readonly<Record<string, unknown>>,
): RestAnswer {
  const mapping = mappings.find((candidate) => candidate.uuid === input.UUID);
  if (mapping === undefined) return notFound;
  const unsupported = Object.keys(input).filter((key) => !UPDATABLE.has(key));
  if (unsupported.length > 0)
    return invalid(`the rehearsal's Lambda does not change ${unsupported.join(', ')}`);
  if (input.FunctionName !== undefined) {
    const named = findFunction(functions, String(input.FunctionName));
    if (named === undefined) return notFound;
    if (named.arn !== mapping.functionArn) return invalid("the rehearsal's Lambda does not move a mapping");
  }
  const { Enabled: enabled, BatchSize: batchSize } = input;
  if (enabled !== undefined && typeof enabled !== 'boolean') return invalid('Enabled must be a boolean');
  if (batchSize !== undefined) {
    const max =
      mapping.maximumBatchingWindowInSeconds > 0 ? MAX_BATCH_SIZE.withWindow : MAX_BATCH_SIZE.withoutWindow;
    if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > max) {
      return invalid(`BatchSize must be an integer from 1 to ${max}`);
    }
  }
  const switching = enabled !== undefined && enabled !== mapping.enabled;
  mapping.update({
    ...(enabled !== undefined && { enabled }),
    ...(batchSize !== undefined && { batchSize }),
  });
  const state = !switching ? 'Updating' : mapping.enabled ? 'Enabling' : 'Disabling';
  return { status: 202, body: configuration(mapping, state) };
}

function list(
  mappings: readonly EventSourceMapping[],
  functions: readonly DeployedFunction[],
  input: Readonly<Record<string, unknown>>,
): RestAnswer {
  let found = [...mappings];
  if (input.FunctionName !== undefined) {
    const named = findFunction(functions, String(input.FunctionName));
    if (named === undefined)
      return error(404, 'ResourceNotFoundException', `Function not found: ${input.FunctionName}`);
    found = found.filter((mapping) => mapping.functionArn === named.arn);
  }
  if (input.EventSourceArn !== undefined)
    found = found.filter((mapping) => mapping.queueArn === input.EventSourceArn);
  const maxItems = input.MaxItems === undefined ? 100 : Number(input.MaxItems);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000) {
    return invalid('MaxItems must be an integer from 1 to 10000');
  }
  // Every mapping of the stack fits on one page: no `NextMarker`.
  return {
    status: 200,
    body: {
      EventSourceMappings: found
        .slice(0, maxItems)
        .map((mapping) => configuration(mapping, mapping.enabled ? 'Enabled' : 'Disabled')),
    },
  };
}

/** `mappings` gives the mappings once they run (they start after the functions that call this). */
export function startLambdaControlPlane(
  mappings: () => readonly EventSourceMapping[],
  functions: readonly DeployedFunction[],
): Promise<StandIn> {
  return serveRestJson('lambda', {
    ListEventSourceMappings: (input) => list(mappings(), functions, input),
    UpdateEventSourceMapping: (input) => update(mappings(), functions, input),
  });
}
