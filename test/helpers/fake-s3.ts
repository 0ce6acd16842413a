/**
 * Just enough of the S3 REST API, over real HTTP, to run `@aws-sdk/client-s3` against it with
 * `forcePathStyle`: PutObject (checking the SDK's CRC32 checksum like S3 does), CopyObject (a PUT
 * with `x-amz-copy-source`, answered with S3's `CopyObjectResult` XML) and GetObject on path-style
 * URLs, with S3's XML error bodies (404 NoSuchKey). Objects live in memory; `failNext` makes the
 * next calls fail.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

export interface StoredObject {
  readonly body: Buffer;
  readonly contentType?: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
}

export interface FakeS3 {
  readonly endpoint: string;
  /** Objects by `<bucket>/<key>`. */
  readonly objects: Map<string, StoredObject>;
  readonly requests: RecordedRequest[];
  /** The next `count` requests are answered with `status` and S3 error `code`. */
  failNext(count: number, status?: number, code?: string): void;
  stop(): Promise<void>;
}

export async function startFakeS3(): Promise<FakeS3> {
  const objects = new Map<string, StoredObject>();
  const requests: RecordedRequest[] = [];
  let failures: { count: number; status: number; code: string } = {
    count: 0,
    status: 500,
    code: 'InternalError',
  };

  const server: Server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      sendError(response, 500, 'InternalError', String(error));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const method = request.method ?? 'GET';
    requests.push({ method, path: url.pathname, headers: request.headers });
    if (failures.count > 0) {
      failures.count -= 1;
      sendError(response, failures.status, failures.code, 'injected failure');
      return;
    }
    if (bucket === '' || key === '') {
      sendError(response, 400, 'InvalidRequest', 'path-style bucket and key expected');
      return;
    }
    const name = `${bucket}/${key}`;
    const copyFrom = request.headers['x-amz-copy-source'];
    if (method === 'PUT' && typeof copyFrom === 'string') {
      copyObject(response, name, copyFrom, request.headers);
      return;
    }
    if (method === 'PUT') {
      const contentType = request.headers['content-type'];
      const body = Buffer.concat(chunks);
      const checksum = request.headers['x-amz-checksum-crc32'];
      if (checksum !== undefined && checksum !== crc32Base64(body)) {
        sendError(
          response,
          400,
          'BadDigest',
          'The CRC32 you specified did not match the calculated checksum.',
        );
        return;
      }
      objects.set(name, { body, ...(contentType !== undefined && { contentType }) });
      response.writeHead(200, { etag: '"fake"' });
      response.end();
      return;
    }
    if (method === 'GET') {
      const object = objects.get(name);
      if (object === undefined) {
        sendError(response, 404, 'NoSuchKey', 'The specified key does not exist.', key);
        return;
      }
      response.writeHead(200, {
        'content-length': object.body.length,
        'content-type': object.contentType ?? 'binary/octet-stream',
        etag: '"fake"',
      });
      response.end(object.body);
      return;
    }
    sendError(response, 405, 'MethodNotAllowed', `${method} is not supported by the fake`);
  }

  /**
   * CopyObject as S3 does it: the source is `<bucket>/<key>` (optionally with a leading `/`),
   * URL-encoded; metadata (the content type) is copied unless the directive says REPLACE.
   */
  function copyObject(
    response: ServerResponse,
    name: string,
    copySource: string,
    headers: IncomingMessage['headers'],
  ): void {
    const source = decodeCopySource(copySource);
    if (source === undefined) {
      sendError(response, 400, 'InvalidArgument', 'Invalid copy source encoding');
      return;
    }
    const object = objects.get(source);
    if (object === undefined) {
      sendError(
        response,
        404,
        'NoSuchKey',
        'The specified key does not exist.',
        source.slice(source.indexOf('/') + 1),
      );
      return;
    }
    const contentType =
      headers['x-amz-metadata-directive'] === 'REPLACE' ? headers['content-type'] : object.contentType;
    objects.set(name, { body: object.body, ...(contentType !== undefined && { contentType }) });
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LastModified>${new Date().toISOString()}</LastModified><ETag>&quot;fake&quot;</ETag></CopyObjectResult>`;
    response.writeHead(200, {
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    requests,
    failNext(count, status = 500, code = 'InternalError') {
      failures = { count, status, code };
    },
    async stop() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

function sendError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  key?: string,
): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${
    key === undefined ? '' : `<Key>${key}</Key>`
  }<RequestId>fake</RequestId></Error>`;
  response.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/**
 * `<bucket>/<key>` of an `x-amz-copy-source` value, or undefined when it is not URL-encoded (a
 * character outside the unreserved set, `%` escapes and `/`) or names no key. A `?versionId=`
 * suffix is ignored: the fake keeps one version.
 */
function decodeCopySource(value: string): string | undefined {
  const [path = ''] = value.split('?versionId=');
  const trimmed = path.startsWith('/') ? path.slice(1) : path;
  if (!/^[A-Za-z0-9\-._~%/]+$/.test(trimmed)) return undefined;
  const slash = trimmed.indexOf('/');
  if (slash <= 0 || slash === trimmed.length - 1) return undefined;
  try {
    return decodeURIComponent(trimmed);
  } catch {
    return undefined;
  }
}

function crc32Base64(data: Buffer): string {
  const digest = Buffer.alloc(4);
  digest.writeUInt32BE(crc32(data));
  return digest.toString('base64');
}
