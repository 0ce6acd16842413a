/**
 * Which operation a REST-JSON request is (Lambda's event source mapping API, EventBridge Scheduler's
 * schedules), and its input as the SDK serialized it: the path's labels, the query parameters and
 * the JSON body, under the API's member names. The recorder (what a function asked) and the
 * stand-ins (what they answer) read requests through the same table.
 */

export type RestService = 'lambda' | 'scheduler';

export interface RestOperation {
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
}

interface RestRoute {
  readonly method: string;
  /** Matches the path; its groups are the labels, in order. */
  readonly pattern: RegExp;
  readonly operation: string;
  readonly labels: readonly string[];
  /** Query parameter → member name. */
  readonly query: Readonly<Record<string, string>>;
}

const ROUTES: Readonly<Record<RestService, readonly RestRoute[]>> = {
  lambda: [
    {
      method: 'GET',
      pattern: /^\/2015-03-31\/event-source-mappings\/?$/,
      operation: 'ListEventSourceMappings',
      labels: [],
      query: {
        EventSourceArn: 'EventSourceArn',
        FunctionName: 'FunctionName',
        Marker: 'Marker',
        MaxItems: 'MaxItems',
      },
    },
    {
      method: 'PUT',
      pattern: /^\/2015-03-31\/event-source-mappings\/([^/]+)$/,
      operation: 'UpdateEventSourceMapping',
      labels: ['UUID'],
      query: {},
    },
  ],
  scheduler: [
    {
      method: 'POST',
      pattern: /^\/schedules\/([^/]+)$/,
      operation: 'CreateSchedule',
      labels: ['Name'],
      query: {},
    },
    {
      method: 'DELETE',
      pattern: /^\/schedules\/([^/]+)$/,
      operation: 'DeleteSchedule',
      labels: ['Name'],
      query: { groupName: 'GroupName', clientToken: 'ClientToken' },
    },
  ],
};

/** The operation `method path` (path and query as sent) is, with `body`; undefined for another one. */
export function restOperationOf(
  service: RestService,
  method: string,
  path: string,
  body: string,
): RestOperation | undefined {
  const url = new URL(path, 'https://rehearsal.invalid');
  for (const route of ROUTES[service]) {
    const match = route.pattern.exec(url.pathname);
    if (match === null || route.method !== method) continue;
    const input: Record<string, unknown> =
      body.trim() === '' ? {} : (JSON.parse(body) as Record<string, unknown>);
    route.labels.forEach((label, index) => {
      input[label] = decodeURIComponent(match[index + 1] ?? '');
    });
    for (const [parameter, member] of Object.entries(route.query)) {
      const value = url.searchParams.get(parameter);
      if (value !== null) input[member] = value;
    }
    return { operation: route.operation, input };
  }
  return undefined;
}
