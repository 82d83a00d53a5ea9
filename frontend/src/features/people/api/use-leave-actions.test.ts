import { Kind, type DocumentNode, type SelectionSetNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CancelLeaveDocument, DecideLeaveDocument, RequestLeaveDocument } from '@/gql/graphql';

/** The fields a mutation's answer selects, fragments spread in (one level deep). */
function answerFields(document: DocumentNode): string[] {
  const fragments = new Map<string, SelectionSetNode>();
  let root: SelectionSetNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition.selectionSet);
    } else if (definition.kind === Kind.OPERATION_DEFINITION) {
      // The mutation field (the document transform puts `__typename` before it).
      for (const field of definition.selectionSet.selections) {
        if (field.kind === Kind.FIELD && !field.name.value.startsWith('__')) {
          root = field.selectionSet;
        }
      }
    }
  }
  const fields = (set: SelectionSetNode | undefined): string[] =>
    (set?.selections ?? []).flatMap((selection) =>
      selection.kind === Kind.FIELD
        ? [selection.name.value]
        : selection.kind === Kind.FRAGMENT_SPREAD
          ? fields(fragments.get(selection.name.value))
          : [],
    );
  return fields(root);
}

describe('leave mutations', () => {
  // The cache then knows at once what the viewer may still do with the request (the inbox drops
  // a decided one, a cancelled one loses its button) without asking again.
  it.each([
    ['requestLeave', RequestLeaveDocument],
    ['cancelLeave', CancelLeaveDocument],
    ['decideLeave', DecideLeaveDocument],
  ])('%s answers with the new status and the viewer’s flags', (_name, document) => {
    expect(answerFields(document)).toEqual(
      expect.arrayContaining(['id', 'status', 'viewerCanDecide', 'viewerCanCancel']),
    );
  });
});
