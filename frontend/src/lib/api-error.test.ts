import { CombinedError } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { ApiRequestError, errorsFromBody, errorsFromCombined, errorsOf } from './api-error';

describe('api errors', () => {
  it('reads message and code of every error of a body', () => {
    const body = {
      errors: [{ message: 'a', extensions: { code: 'FORBIDDEN' } }, { message: 'b' }],
    };
    expect(errorsFromBody(body, 403)).toEqual([
      { message: 'a', code: 'FORBIDDEN' },
      { message: 'b', code: 'INTERNAL' },
    ]);
  });

  it('names the HTTP status when the body has no errors', () => {
    expect(errorsFromBody('<html>', 502)).toEqual([{ message: 'HTTP 502', code: 'INTERNAL' }]);
  });

  it('lists GraphQL errors with their codes, then a network failure', () => {
    const error = new CombinedError({
      graphQLErrors: [{ message: 'not allowed', extensions: { code: 'TRANSITION_NOT_ALLOWED' } }],
    });
    expect(errorsFromCombined(error)).toEqual([
      { message: 'not allowed', code: 'TRANSITION_NOT_ALLOWED' },
    ]);
    const network = new CombinedError({ networkError: new Error('Failed to fetch') });
    expect(errorsFromCombined(network)).toEqual([
      { message: 'Failed to fetch', code: 'NETWORK_ERROR' },
    ]);
  });

  it('unwraps request errors and treats anything else as a network failure', () => {
    const errors = [{ message: 'x', code: 'RATE_LIMITED' }];
    expect(errorsOf(new ApiRequestError(errors, 429))).toBe(errors);
    expect(errorsOf(new TypeError('offline'))).toEqual([
      { message: 'offline', code: 'NETWORK_ERROR' },
    ]);
  });
});
