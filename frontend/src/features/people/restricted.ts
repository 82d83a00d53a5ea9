import type { CombinedError } from 'urql';
import { errorsFromCombined, type ApiError } from '@/lib/api-error';

/** What came back besides data: fields withheld from this viewer, and real failures. */
export interface SplitErrors {
  /** Fields of `root` the API refused to show this viewer (FORBIDDEN on `root.<field>`). */
  restricted: ReadonlySet<string>;
  /** Every other error, with its message and code. */
  errors: ApiError[];
}

interface PathError {
  path?: readonly (string | number)[];
  extensions: { code?: unknown };
}

function withheldField(error: PathError, root: string): string | null {
  const path = error.path ?? [];
  const [first, field] = path;
  if (error.extensions.code !== 'FORBIDDEN' || path.length !== 2 || first !== root) return null;
  return typeof field === 'string' ? field : null;
}

/**
 * The API answers a field the viewer may not see (salary, personal data) with FORBIDDEN on that
 * field and null, leaving the rest intact: such a field is "restricted", not a failure. Only
 * FORBIDDEN errors exactly on `root.<field>` count; anything else stays an error.
 */
export function splitRestricted(error: CombinedError | undefined, root: string): SplitErrors {
  if (!error) return { restricted: new Set(), errors: [] };
  const restricted = new Set<string>();
  const fields = error.graphQLErrors.map((e) => withheldField(e, root));
  for (const field of fields) if (field) restricted.add(field);
  // errorsFromCombined lists the GraphQL errors first, in order, then the network failure.
  const errors = errorsFromCombined(error).filter((_, index) => !fields[index]);
  return { restricted, errors };
}
