import { vi } from 'vitest';

export interface RecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

type Responder = (request: RecordedRequest) => { status?: number; body?: unknown };

/** Replaces `fetch` with `respond`, recording every request. */
export function stubFetch(respond: Responder): RecordedRequest[] {
  const requests: RecordedRequest[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, key) => {
        headers[key] = value;
      });
      const request: RecordedRequest = {
        url: input instanceof Request ? input.url : String(input),
        method: init?.method ?? 'GET',
        headers,
        body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : null,
      };
      requests.push(request);
      const { status = 200, body = null } = respond(request);
      return Promise.resolve(
        new Response(body === null ? null : JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json' },
        }),
      );
    }),
  );
  return requests;
}
