import { create } from 'zustand';

/** The directory's filters, kept while the user opens an employee and comes back. */
export interface DirectoryFilters {
  search: string;
  includeOffboarded: boolean;
}

export interface DirectoryState extends DirectoryFilters {
  /** The session user the filters belong to: another user starts from the defaults. */
  owner: string | null;
  setSearch: (owner: string, search: string) => void;
  setIncludeOffboarded: (owner: string, includeOffboarded: boolean) => void;
}

export const DEFAULT_FILTERS: DirectoryFilters = { search: '', includeOffboarded: false };

export const useDirectoryStore = create<DirectoryState>()((set, get) => {
  /** The current filters of `owner` with `change` applied. */
  const update = (owner: string, change: Partial<DirectoryFilters>) => {
    const current = get().owner === owner ? get() : DEFAULT_FILTERS;
    set({
      owner,
      search: current.search,
      includeOffboarded: current.includeOffboarded,
      ...change,
    });
  };
  return {
    owner: null,
    ...DEFAULT_FILTERS,
    setSearch: (owner, search) => {
      update(owner, { search });
    },
    setIncludeOffboarded: (owner, includeOffboarded) => {
      update(owner, { includeOffboarded });
    },
  };
});

/** The filters of `owner`: the defaults when the stored ones belong to someone else. */
export function filtersOf(state: DirectoryState, owner: string): DirectoryFilters {
  return state.owner === owner
    ? { search: state.search, includeOffboarded: state.includeOffboarded }
    : DEFAULT_FILTERS;
}
