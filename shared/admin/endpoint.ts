/** What every admin endpoint is given and answers: the contract between the route table and its handlers. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { UnavailableCode } from './errors.js';
import type { Fields } from './request.js';

/** One admin request, as the route table hands it to the endpoint its method and path matched. */
export interface AdminRequest {
  readonly event: APIGatewayProxyEventV2;
  readonly query: Fields;
  readonly now: Date;
  /** The path's `{name}` segments by name (`id`, `route`), decoded. */
  readonly params: Readonly<Record<string, string>>;
}

/** What serves one method and path of the admin API. */
export interface Endpoint {
  /** Also the 503 code for an AWS failure nothing more specific explains. */
  readonly unavailable: UnavailableCode;
  handle(request: AdminRequest): Promise<APIGatewayProxyStructuredResultV2>;
}
