/**
 * A stand-in for an AWS service of the REST-JSON protocol over real HTTP: each request is read as
 * its operation (./rest-operations.ts) and answered by that operation's handler; an error answer
 * names its type in `X-Amzn-ErrorType`, as the SDK reads it. A request no operation matches gets
 * the protocol's `UnknownOperationException`.
 */
import { createServer, type Server } from 'node:http';
import { type RestService, restOperationOf } from './rest-operations.js';
import { listenLocally, type StandIn } from './stand-ins.js';

export interface RestAnswer {
  readonly status: number;
  readonly body: unknown;
  /** The error's type (`ResourceNotFoundException`), for an error answer. */
  readonly errorType?: string;
}

export type RestHandler = (input: Readonly<Record<string, unknown>>) => RestAnswer;

export async function serveRestJson(
  service: RestService,
  operations: Readonly<Record<string, RestHandler>>,
): Promise<StandIn> {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const method = request.method ?? 'GET';
      const path = request.url ?? '/';
      const rest = restOperationOf(service, method, path, Buffer.concat(chunks).toString('utf8'));
      const handle = rest === undefined ? undefined : operations[rest.operation];
      const answer: RestAnswer =
        rest === undefined || handle === undefined
          ? {
              status: 404,
              errorType: 'UnknownOperationException',
              body: { message: `no ${service} stand-in for ${method} ${path}` },
            }
          : handle(rest.input);
      response
        .writeHead(answer.status, {
          'content-type': 'application/json',
          ...(answer.errorType !== undefined && { 'x-amzn-errortype': answer.errorType }),
        })
        .end(JSON.stringify(answer.body));
    });
  });
  return listenLocally(server);
}
