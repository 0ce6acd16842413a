/**
 * HTTP client for the admin API (`/_hookline/...`): JSON in, JSON out, errors as AdminApiError.
 * Requests to a deployed stack are signed (SigV4); the local stack's are not.
 */
import { HooklineError } from '../errors.js';
import { ADMIN_PATH_PREFIX, isAdminPath } from '../http/paths.js';
import { fetchFailureReason } from './fetch-failure.js';
import type { RequestSigner } from './sigv4.js';

/** Query parameters; `undefined` values are left out. */
export type AdminQuery = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * An error answered by the admin API (`{ "error": { "code", "message" } }`), or no answer at all.
 * `code` is the API's error code, e.g. `event_not_found`, or `gateway_unreachable` / `invalid_reply` from
 * the client.
 */
export class AdminApiError extends HooklineError<string> {
  override name = 'AdminApiError';
  /** HTTP status; 0 when the API could not be reached. */
  readonly status: number;

  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = status;
  }
}

/** Where an `AdminClient` sends requests, and how. */
export interface AdminClientOptions {
  /** The admin API's URL, e.g. `http://127.0.0.1:3000/_hookline`; request paths are resolved under it. */
  readonly adminUrl: string;
  /** Signs each request (deployed stacks). */
  readonly signer?: RequestSigner;
  /** Says where the API is, for error messages, e.g. `local stack http://127.0.0.1:3000`. */
  readonly description?: string;
  /** Extra hint appended when the API cannot be reached. */
  readonly unreachableHint?: string;
  /** @default globalThis.fetch */
  readonly fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Per-request timeout. @default 30000 */
  readonly timeoutMs?: number;
}

/**
 * Calls the admin API of one gateway: signs each request when given a signer, parses the JSON
 * reply, and turns every failure (an error answer, no answer, a reply that is not JSON) into an
 * `AdminApiError`.
 */
export class AdminClient {
  /** The admin API's URL, without a trailing slash. */
  readonly adminUrl: string;
  /** Where the API is, for messages. */
  readonly description: string;
  private readonly options: AdminClientOptions;

  constructor(options: AdminClientOptions) {
    this.options = options;
    this.adminUrl = options.adminUrl.replace(/\/+$/, '');
    this.description = options.description ?? this.adminUrl;
  }

  /** GET `path` (e.g. `/_hookline/events`); resolves with the parsed JSON reply. */
  get<T>(path: string, query: AdminQuery = {}): Promise<T> {
    return this.request<T>('GET', path, query);
  }

  /** POST `body` as JSON to `path`; resolves with the parsed JSON reply. */
  post<T>(path: string, body: unknown, query: AdminQuery = {}): Promise<T> {
    return this.request<T>('POST', path, query, JSON.stringify(body));
  }

  /**
   * The absolute URL of an admin path: `/_hookline/events` and `/events` both name the `events`
   * resource under the admin URL.
   */
  url(path: string, query: AdminQuery = {}): URL {
    const relative = isAdminPath(path) ? path.slice(ADMIN_PATH_PREFIX.length) : path;
    const url = new URL(
      `${this.adminUrl}${relative === '' || relative.startsWith('/') ? relative : `/${relative}`}`,
    );
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }

  /**
   * Sends one request as a proxy received it (an admin path, its raw query, a JSON body) and
   * resolves with the answer as it came, an error answer included: for the console over a
   * deployed stack. Only an API that cannot be reached is an `AdminApiError`.
   */
  async relay(request: {
    readonly method: string;
    readonly path: string;
    readonly rawQuery: string;
    readonly body?: string;
  }): Promise<{ status: number; contentType: string | undefined; body: string }> {
    const url = this.url(request.path);
    url.search = request.rawQuery;
    const response = await this.send(request.method, url, request.body);
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? undefined,
      body: await response.text(),
    };
  }

  private async request<T>(method: string, path: string, query: AdminQuery, body?: string): Promise<T> {
    const url = this.url(path, query);
    const response = await this.send(method, url, body);
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!response.ok) throw errorOf(response, json, method, url);
    if (json === undefined) {
      throw new AdminApiError(
        response.status,
        'invalid_reply',
        `${method} ${url.pathname} answered ${response.status} without a JSON body`,
      );
    }
    return json as T;
  }

  /** Signs (for a deployed stack) and sends one request; an API that cannot be reached is an `AdminApiError`. */
  private async send(method: string, url: URL, body: string | undefined): Promise<Response> {
    let headers: Record<string, string> = {
      accept: 'application/json',
      ...(body !== undefined && { 'content-type': 'application/json' }),
    };
    if (this.options.signer !== undefined) {
      headers = await this.options.signer({ method, url, headers, ...(body !== undefined && { body }) });
    }
    const fetchFunction = this.options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    try {
      return await fetchFunction(url.toString(), {
        method,
        headers,
        ...(body !== undefined && { body }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error: unknown) {
      const hint = this.options.unreachableHint === undefined ? '' : `: ${this.options.unreachableHint}`;
      throw new AdminApiError(
        0,
        'gateway_unreachable',
        `could not reach the admin API of the ${this.description} (${fetchFailureReason(error)})${hint}`,
        { cause: error },
      );
    }
  }
}

function errorOf(response: Response, json: unknown, method: string, url: URL): AdminApiError {
  const error =
    typeof json === 'object' && json !== null && 'error' in json && typeof json.error === 'object'
      ? (json.error as Record<string, unknown>)
      : undefined;
  if (error !== undefined && typeof error.message === 'string') {
    return new AdminApiError(
      response.status,
      typeof error.code === 'string' ? error.code : `http_${response.status}`,
      error.message,
    );
  }
  // API Gateway's own refusals (IAM) carry `{ "message": "Forbidden" }` and no code.
  const message =
    typeof json === 'object' && json !== null && 'message' in json && typeof json.message === 'string'
      ? json.message
      : response.statusText;
  const advice =
    response.status === 403 ? ' (check the AWS credentials and their execute-api:Invoke permission)' : '';
  return new AdminApiError(
    response.status,
    `http_${response.status}`,
    `${method} ${url.pathname} answered ${response.status} ${message}${advice}`,
  );
}
