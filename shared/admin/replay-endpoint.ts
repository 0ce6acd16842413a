/** `POST /_hookline/replay`: one event (`id`) or a route's events in bulk (`route`, filters, pacing). */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { eventPath } from '../http/paths.js';
import { jsonResponse } from '../http/response.js';
import { InvalidReplayCursorError } from '../replay/errors.js';
import { MAX_BULK_REPLAY_LIMIT, MAX_REPLAY_BUDGET_MS, MAX_REPLAY_RATE_PER_SECOND } from '../replay/limits.js';
import type { Replayer } from '../replay/types.js';
import type { Endpoint } from './endpoint.js';
import { invalidField } from './errors.js';
import {
  type Fields,
  jsonBody,
  optionalBoolean,
  optionalInteger,
  optionalStatus,
  optionalString,
  timeRange,
} from './request.js';
import { type RouteLookupTarget, requireRouteTarget } from './routes.js';

/** What the replay endpoint uses. */
interface ReplayEndpointDependencies {
  readonly targets: readonly RouteLookupTarget[];
  readonly replayer: Pick<Replayer, 'replayEvent' | 'replayMany'>;
  /** Origin of the `statusUrl` links. @default `https://` + the request's domain name */
  readonly publicUrl?: string;
}

export function replayEndpoint(deps: ReplayEndpointDependencies): { readonly replay: Endpoint } {
  /** 202 with the replay and a link to its status. */
  async function replayOne(
    event: APIGatewayProxyEventV2,
    id: string,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    const result = await deps.replayer.replayEvent(id);
    const origin = deps.publicUrl ?? `https://${event.requestContext.domainName}`;
    return jsonResponse(202, { replay: { ...result, statusUrl: `${origin}${eventPath(result.id)}` } });
  }

  /** 200 with the report of a dry run, 202 with that of a real one. */
  async function replayRoute(
    body: Fields,
    routeName: string,
    now: Date,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    const target = requireRouteTarget(deps.targets, routeName);
    const status = optionalStatus(body, 'status');
    const dryRun = optionalBoolean(body, 'dryRun') ?? false;
    const ratePerSecond = optionalInteger(body, 'ratePerSecond', 1, MAX_REPLAY_RATE_PER_SECOND);
    const limit = optionalInteger(body, 'limit', 1, MAX_BULK_REPLAY_LIMIT);
    const cursor = optionalString(body, 'cursor');
    const budgetMs = optionalInteger(body, 'budgetMs', 1, MAX_REPLAY_BUDGET_MS);
    try {
      const report = await deps.replayer.replayMany({
        route: target.route.path,
        ...timeRange(body, now),
        ...(status !== undefined && { status }),
        dryRun,
        ...(ratePerSecond !== undefined && { ratePerSecond }),
        ...(limit !== undefined && { limit }),
        ...(cursor !== undefined && { cursor }),
        ...(budgetMs !== undefined && { budgetMs }),
      });
      return jsonResponse(dryRun ? 200 : 202, { report });
    } catch (error: unknown) {
      if (error instanceof InvalidReplayCursorError) throw invalidField('cursor', error.message);
      throw error;
    }
  }

  const replay: Endpoint = {
    unavailable: 'store_unavailable',
    async handle({ event, now }) {
      const body = jsonBody(event);
      const id = optionalString(body, 'id');
      const routeName = optionalString(body, 'route');
      if (id !== undefined && routeName !== undefined) {
        throw invalidField('id', 'give either id (one event) or route (bulk), not both');
      }
      if (id !== undefined) return replayOne(event, id);
      if (routeName === undefined) throw invalidField('id', 'id (one event) or route (bulk) is required');
      return replayRoute(body, routeName, now);
    },
  };

  return { replay };
}
