import { render, type RenderResult } from '@testing-library/react';
import { Kind } from 'graphql';
import type { ReactElement } from 'react';
import {
  Client,
  Provider,
  type CombinedError,
  type Exchange,
  type Operation,
  type OperationResult,
} from 'urql';
import { filter, fromValue, map, mergeMap, never, pipe, takeUntil, type Source } from 'wonka';

interface Answer {
  data?: unknown;
  error?: CombinedError;
}

export interface MockClientOptions {
  query?: (operationName: string | undefined, variables: unknown) => Answer;
  mutation?: (operationName: string | undefined, variables: unknown) => Answer;
  subscription?: Source<Answer>;
}

function operationName(operation: Operation): string | undefined {
  for (const definition of operation.query.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) return definition.name?.value;
  }
  return undefined;
}

/**
 * A subscription's results say `hasNext: true`, as from the network: urql ends a non-query
 * operation at its first result without it, so a subscription would stop after one event.
 */
function toResult(operation: Operation, answer: Answer): OperationResult {
  return {
    operation,
    data: answer.data,
    error: answer.error,
    stale: false,
    hasNext: operation.kind === 'subscription',
  };
}

/**
 * A real urql client whose last exchange answers from functions instead of the network; every
 * operation it saw (queries, mutations, subscriptions) is in `operations`. A subscription relays
 * every event of `options.subscription` until it is torn down.
 */
export function mockClient(options: MockClientOptions) {
  const operations: Operation[] = [];
  const answer: Exchange = () => (operations$) =>
    pipe(
      operations$,
      filter((operation) => operation.kind !== 'teardown'),
      mergeMap((operation) => {
        operations.push(operation);
        const teardown = pipe(
          operations$,
          filter((op) => op.kind === 'teardown' && op.key === operation.key),
        );
        if (operation.kind === 'subscription') {
          return pipe(
            options.subscription ?? (never as Source<Answer>),
            map((a) => toResult(operation, a)),
            takeUntil(teardown),
          );
        }
        const respond = operation.kind === 'mutation' ? options.mutation : options.query;
        return fromValue(
          toResult(
            operation,
            respond?.(operationName(operation), operation.variables) ?? { data: null },
          ),
        );
      }),
    );
  const client = new Client({ url: '/graphql', exchanges: [answer] });
  const ofKind = (kind: Operation['kind']) => operations.filter((op) => op.kind === kind);
  return { client, operations, ofKind };
}

export function renderWithClient(ui: ReactElement, client: Client): RenderResult {
  return render(<Provider value={client}>{ui}</Provider>);
}
