/**
 * Recorded answers for the two services that cannot run here (no emulator exists for them), over
 * real HTTP in their JSON protocols: Secrets Manager's GetSecretValue and PutSecretValue (the
 * shapes AWS documents, with the secret's full ARN; a put value is what later reads return) and
 * CloudWatch's GetMetricData (no data points, as for a queue with no traffic yet). Anything else is
 * answered with the protocol's UnknownOperationException.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandIn {
  readonly endpoint: string;
  stop(): Promise<void>;
}

type Operation = (input: Record<string, unknown>) => { status: number; body: unknown };

async function serveJsonProtocol(
  contentType: string,
  operations: Record<string, Operation>,
): Promise<StandIn> {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = operations[target.slice(target.indexOf('.') + 1)];
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const { status, body } = operation?.(input) ?? {
        status: 400,
        body: { __type: 'UnknownOperationException', message: `no stand-in for ${target}` },
      };
      response.writeHead(status, { 'content-type': contentType }).end(JSON.stringify(body));
    });
  });
  return listenLocally(server);
}

/** `server` listening on a free loopback port, as a stand-in that stops it. */
export async function listenLocally(server: Server): Promise<StandIn> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

const secretNotFound = {
  status: 400,
  body: { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." },
};

/**
 * Secrets Manager holding `secrets` (full ARN → value): `PutSecretValue` replaces a secret's value
 * in the map, as its new `AWSCURRENT` version, so the caller sees what the functions stored.
 */
export function startSecretsManager(secrets: Map<string, string>): Promise<StandIn> {
  const versions = new Map<string, string>();
  const nameOf = (arn: string) => arn.split(':secret:')[1]?.replace(/-[A-Za-z0-9]{6}$/, '');
  return serveJsonProtocol('application/x-amz-json-1.1', {
    GetSecretValue: (input) => {
      const arn = String(input.SecretId);
      const value = secrets.get(arn);
      if (value === undefined) return secretNotFound;
      return {
        status: 200,
        body: {
          ARN: arn,
          Name: nameOf(arn),
          SecretString: value,
          VersionId: versions.get(arn) ?? '00000000-0000-4000-8000-000000000000',
          VersionStages: ['AWSCURRENT'],
          CreatedDate: 1_767_225_600,
        },
      };
    },
    PutSecretValue: (input) => {
      const arn = String(input.SecretId);
      if (!secrets.has(arn)) return secretNotFound;
      if (typeof input.SecretString !== 'string') {
        return {
          status: 400,
          body: { __type: 'InvalidParameterException', message: 'the stand-in stores SecretString only' },
        };
      }
      // The SDK fills `ClientRequestToken` in, and Secrets Manager makes it the version's id.
      const versionId =
        typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : randomUUID();
      secrets.set(arn, input.SecretString);
      versions.set(arn, versionId);
      return {
        status: 200,
        body: { ARN: arn, Name: nameOf(arn), VersionId: versionId, VersionStages: ['AWSCURRENT'] },
      };
    },
  });
}

/** CloudWatch with no data points yet. */
export function startCloudWatch(): Promise<StandIn> {
  return serveJsonProtocol('application/x-amz-json-1.0', {
    GetMetricData: (input) => ({
      status: 200,
      body: {
        MetricDataResults: ((input.MetricDataQueries ?? []) as { Id: string }[]).map((query) => ({
          Id: query.Id,
          Label: query.Id,
          Timestamps: [],
          Values: [],
          StatusCode: 'Complete',
        })),
        Messages: [],
      },
    }),
  });
}
