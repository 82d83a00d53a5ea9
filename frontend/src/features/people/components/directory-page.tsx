import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '@/stores/app-store';
import { useDebouncedValue } from '../hooks/use-debounced-value';
import { filtersOf, useDirectoryStore } from '../stores/directory-store';
import { DirectoryFiltersForm } from './directory-filters';
import { DirectoryResults } from './directory-results';

/** How long typing must pause before the directory asks again. */
export const SEARCH_DELAY_MS = 250;

export function DirectoryPage() {
  const { t } = useTranslation();
  const userId = useAppStore((s) => s.user?.id ?? '');
  const filters = useDirectoryStore(useShallow((s) => filtersOf(s, userId)));
  const search = useDebouncedValue(filters.search.trim(), SEARCH_DELAY_MS);
  const status = filters.includeOffboarded
    ? (['ACTIVE', 'ON_LEAVE', 'OFFBOARDED'] as const)
    : (['ACTIVE', 'ON_LEAVE'] as const);

  return (
    <div className="page">
      <header className="page__header">
        <h1>{t('people.directory.title')}</h1>
      </header>
      <DirectoryFiltersForm owner={userId} filters={filters} />
      <DirectoryResults
        key={`${search}|${status.join(',')}`}
        filter={{ search: search === '' ? null : search, status: [...status] }}
      />
    </div>
  );
}
