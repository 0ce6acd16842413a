/**
 * The network a rehearsed function sees: its Node HTTP client is wrapped before its bundle loads, so
 * the requests the bundled AWS SDK makes to the real endpoints (`https://sqs.<region>.amazonaws.com`,
 * `https://<bucket>.s3.<region>.amazonaws.com/<key>`, `https://lambda.<region>.amazonaws.com/...`,
 * ...) are each recorded as the wire request AWS would authorize, then carried to the local stand-in
 * for that service over plain HTTP. A request to any other host fails, as it would from a Lambda
 * function without internet access.
 *
 * Recording on the wire rather than with SDK middleware: the clients are built inside the bundle,
 * out of reach of anything installed from outside, and the wire request is what IAM authorizes.
 */
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';

/** The AWS services the functions call, by the first label of their endpoint host. */
export type AwsService = 'sqs' | 'dynamodb' | 's3' | 'secretsmanager' | 'monitoring' | 'lambda' | 'scheduler';

/** Where each service's stand-in listens (`http://127.0.0.1:<port>`). */
export type ServiceEndpoints = Readonly<Record<AwsService, string>>;

/** One request to AWS as it left the function. */
export interface WireRequest {
  readonly service: AwsService;
  readonly method: string;
  /** The AWS host the request was addressed to. */
  readonly host: string;
  /** Path and query, as sent. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text, for the JSON, REST-JSON and CBOR protocols' operations (S3 bodies are left out). */
  readonly body: string;
}

const AWS_HOST =
  /^(?:(?<bucket>[a-z0-9.-]+)\.)?(?<service>sqs|dynamodb|s3|secretsmanager|monitoring|lambda|scheduler)\.[a-z0-9-]+\.amazonaws\.com$/;

/** The service an AWS host belongs to, and the bucket of a virtual-hosted S3 address. */
export function serviceOfHost(host: string): { service: AwsService; bucket?: string } | undefined {
  const match = AWS_HOST.exec(host.replace(/:\d+$/, ''));
  if (match?.groups === undefined) return undefined;
  const service = match.groups.service as AwsService;
  const bucket = match.groups.bucket;
  if (bucket !== undefined && service !== 's3') return undefined;
  return bucket === undefined ? { service } : { service, bucket };
}

type RequestArguments = Parameters<typeof https.request>;

/**
 * Wraps `http.request` and `https.request` (and their ESM bindings) for the rest of this process:
 * AWS requests go to `endpoints` and are passed to `record` once sent.
 */
export function installAwsNetwork(endpoints: ServiceEndpoints, record: (request: WireRequest) => void): void {
  const plainRequest = http.request;
  const agent = new http.Agent({ keepAlive: true });
  const route = (...args: RequestArguments): http.ClientRequest => {
    const options = requestOptions(args);
    const host = String(options.hostname ?? options.host ?? '');
    const target = serviceOfHost(host);
    if (target === undefined) throw new Error(`no network route to ${host} from a rehearsed function`);
    const local = new URL(endpoints[target.service]);
    const path =
      target.bucket === undefined ? String(options.path ?? '/') : `/${target.bucket}${options.path ?? '/'}`;
    const callback = args.find(
      (arg): arg is (response: http.IncomingMessage) => void => typeof arg === 'function',
    );
    const request = plainRequest(
      {
        ...options,
        protocol: 'http:',
        hostname: local.hostname,
        host: undefined,
        port: local.port,
        path,
        agent,
      },
      callback,
    );
    captureBody(request, (body) => {
      record({
        service: target.service,
        method: options.method ?? 'GET',
        host,
        path: String(options.path ?? '/'),
        headers: flatHeaders(options.headers),
        body: target.service === 's3' ? '' : body,
      });
    });
    return request;
  };
  https.request = route as typeof https.request;
  http.request = ((...args: Parameters<typeof http.request>) => {
    const options = requestOptions(args as RequestArguments);
    const host = String(options.hostname ?? options.host ?? '');
    // Loopback stays reachable (nothing in a function calls it; the SDK's metadata probes are off).
    if (serviceOfHost(host) === undefined) return plainRequest(...args);
    return route(...(args as RequestArguments));
  }) as typeof http.request;
  syncBuiltinESMExports();
}

function requestOptions(args: RequestArguments): https.RequestOptions {
  const [first, second] = args;
  const fromUrl = (url: string | URL): https.RequestOptions => {
    const parsed = new URL(url);
    return { hostname: parsed.hostname, port: parsed.port, path: `${parsed.pathname}${parsed.search}` };
  };
  if (typeof first === 'string' || first instanceof URL) {
    return { ...fromUrl(first), ...(typeof second === 'object' ? second : {}) };
  }
  return first ?? {};
}

function flatHeaders(headers: https.RequestOptions['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  if (headers === undefined || Array.isArray(headers)) return flat;
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined)
      flat[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return flat;
}

/** Calls `done` with the request's body once it is ended. */
function captureBody(request: http.ClientRequest, done: (body: string) => void): void {
  const chunks: Buffer[] = [];
  const keep = (chunk: unknown) => {
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  };
  const write = request.write.bind(request);
  const end = request.end.bind(request);
  request.write = ((chunk: unknown, ...rest: never[]) => {
    keep(chunk);
    return write(chunk as string, ...rest);
  }) as typeof request.write;
  request.end = ((chunk?: unknown, ...rest: never[]) => {
    if (typeof chunk !== 'function') keep(chunk);
    done(Buffer.concat(chunks).toString('utf8'));
    return end(chunk as string, ...rest);
  }) as typeof request.end;
}
