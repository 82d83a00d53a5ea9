import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS, filtersOf, useDirectoryStore } from './directory-store';

const initial = useDirectoryStore.getState();

beforeEach(() => {
  useDirectoryStore.setState(initial, true);
});

describe('directory store', () => {
  it('keeps the search and the offboarded switch of one user', () => {
    const { setSearch, setIncludeOffboarded } = useDirectoryStore.getState();
    setSearch('u1', 'sam');
    setIncludeOffboarded('u1', true);
    expect(filtersOf(useDirectoryStore.getState(), 'u1')).toEqual({
      search: 'sam',
      includeOffboarded: true,
    });
  });

  it('gives another user the defaults, and starts them from the defaults', () => {
    useDirectoryStore.getState().setSearch('u1', 'sam');
    useDirectoryStore.getState().setIncludeOffboarded('u1', true);
    expect(filtersOf(useDirectoryStore.getState(), 'u2')).toEqual(DEFAULT_FILTERS);
    useDirectoryStore.getState().setSearch('u2', 'ari');
    expect(filtersOf(useDirectoryStore.getState(), 'u2')).toEqual({
      search: 'ari',
      includeOffboarded: false,
    });
    expect(filtersOf(useDirectoryStore.getState(), 'u1')).toEqual(DEFAULT_FILTERS);
  });
});
