import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useDirectoryStore, type DirectoryFilters } from '../stores/directory-store';

interface DirectoryFiltersProps {
  owner: string;
  filters: DirectoryFilters;
}

/** Search by name, email or employee number; offboarded people on request. */
export function DirectoryFiltersForm({ owner, filters }: DirectoryFiltersProps) {
  const { t } = useTranslation();
  const id = useId();
  const setSearch = useDirectoryStore((s) => s.setSearch);
  const setIncludeOffboarded = useDirectoryStore((s) => s.setIncludeOffboarded);
  return (
    <form
      className="people-filters"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
      }}
    >
      <label htmlFor={`${id}-search`}>{t('people.directory.search')}</label>
      <input
        id={`${id}-search`}
        type="search"
        value={filters.search}
        placeholder={t('people.directory.searchHint')}
        onChange={(e) => {
          setSearch(owner, e.target.value);
        }}
      />
      <label className="people-checkbox">
        <input
          type="checkbox"
          checked={filters.includeOffboarded}
          onChange={(e) => {
            setIncludeOffboarded(owner, e.target.checked);
          }}
        />
        {t('people.directory.includeOffboarded')}
      </label>
    </form>
  );
}
