import type { CombinedError } from '@urql/core';

/** One failure as the contract describes it: a message and its `extensions.code`. */
export interface ApiError {
  message: string;
  code: string;
}

/** Codes the client gives failures that never reached the gateway or had no contract code. */
export const NETWORK_ERROR = 'NETWORK_ERROR';
export const UNKNOWN_ERROR = 'INTERNAL';

interface GraphqlErrorLike {
  message?: unknown;
  extensions?: { code?: unknown } | null;
}

function toApiError(error: GraphqlErrorLike): ApiError {
  const message = typeof error.message === 'string' ? error.message : '';
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : UNKNOWN_ERROR;
  return { message, code };
}

/** The errors of a `{"errors": [...]}` body (gateway refusals and `/auth/*` answers). */
export function errorsFromBody(body: unknown, status: number): ApiError[] {
  if (typeof body === 'object' && body !== null && 'errors' in body && Array.isArray(body.errors)) {
    const errors = (body.errors as GraphqlErrorLike[]).map(toApiError);
    if (errors.length > 0) return errors;
  }
  return [{ message: `HTTP ${status}`, code: UNKNOWN_ERROR }];
}

/** Every error of an urql result, GraphQL errors first, then the network failure if any. */
export function errorsFromCombined(error: CombinedError): ApiError[] {
  const errors = error.graphQLErrors.map((e) => toApiError(e));
  if (error.networkError) {
    errors.push({ message: error.networkError.message, code: NETWORK_ERROR });
  }
  if (errors.length === 0) errors.push({ message: error.message, code: UNKNOWN_ERROR });
  return errors;
}

/** Thrown by the `/auth/*` calls. */
export class ApiRequestError extends Error {
  readonly errors: ApiError[];
  readonly status: number;

  constructor(errors: ApiError[], status: number) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('; '));
    this.name = 'ApiRequestError';
    this.errors = errors;
    this.status = status;
  }
}

/** The errors of anything caught around an API call. */
export function errorsOf(caught: unknown): ApiError[] {
  if (caught instanceof ApiRequestError) return caught.errors;
  const message = caught instanceof Error ? caught.message : String(caught);
  return [{ message, code: NETWORK_ERROR }];
}
