import { CombinedError } from 'urql';
import { describe, expect, it } from 'vitest';
import { splitRestricted } from './restricted';

const forbidden = (path: (string | number)[]) => ({
  message: 'this field is visible only to HR and the employee',
  path,
  extensions: { code: 'FORBIDDEN' },
});

describe('splitRestricted', () => {
  it('has nothing to split without an error', () => {
    const { restricted, errors } = splitRestricted(undefined, 'employee');
    expect([...restricted]).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('turns FORBIDDEN on root fields into restricted fields, not errors', () => {
    const error = new CombinedError({
      graphQLErrors: [forbidden(['employee', 'salary']), forbidden(['employee', 'phone'])],
    });
    const { restricted, errors } = splitRestricted(error, 'employee');
    expect([...restricted]).toEqual(['salary', 'phone']);
    expect(errors).toEqual([]);
  });

  it('keeps every other failure with its code', () => {
    const error = new CombinedError({
      graphQLErrors: [
        forbidden(['employee', 'salary']),
        forbidden(['employee']),
        forbidden(['employee', 'manager', 'salary']),
        {
          message: 'hr is down',
          path: ['employee', 'phone'],
          extensions: { code: 'SUBGRAPH_UNAVAILABLE' },
        },
      ],
      networkError: new Error('socket hang up'),
    });
    const { restricted, errors } = splitRestricted(error, 'employee');
    expect([...restricted]).toEqual(['salary']);
    expect(errors.map((e) => e.code)).toEqual([
      'FORBIDDEN',
      'FORBIDDEN',
      'SUBGRAPH_UNAVAILABLE',
      'NETWORK_ERROR',
    ]);
  });
});
