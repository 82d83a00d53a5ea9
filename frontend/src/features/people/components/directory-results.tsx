import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ErrorNotice } from '@/components/error-notice';
import { Loading } from '@/components/loading';
import type { EmployeeFilter } from '@/gql/graphql';
import { useDirectoryPage } from '../api/use-directory';
import { EmployeeStatusBadge } from './employee-status-badge';

interface ChunkProps {
  filter: EmployeeFilter;
  after: string | null;
  isLast: boolean;
  onMore: (cursor: string) => void;
}

/** One page of people: rows of the table, and "show more" when it is the last page loaded. */
function DirectoryChunk({ filter, after, isLast, onMore }: ChunkProps) {
  const { t } = useTranslation();
  const page = useDirectoryPage(filter, after);
  const first = after === null;
  const { nextCursor } = page;
  return (
    <tbody>
      {page.loading || page.errors.length > 0 ? (
        <tr>
          <td colSpan={4}>
            {page.loading ? <Loading /> : <ErrorNotice errors={page.errors} onRetry={page.retry} />}
          </td>
        </tr>
      ) : (
        <>
          {first && page.totalCount !== null && (
            <tr className="people-directory__count">
              <td colSpan={4} role="status">
                {t('people.directory.count', { count: page.totalCount })}
              </td>
            </tr>
          )}
          {page.employees.map((employee) => (
            <tr key={employee.id} data-testid="directory-row" data-employee-id={employee.id}>
              <th scope="row">
                <Link href={`/${employee.id}`}>{employee.displayName}</Link>
                <span className="people-directory__number">{employee.employeeNumber}</span>
              </th>
              <td>{employee.title ?? t('people.none')}</td>
              <td>{employee.department?.name ?? t('people.none')}</td>
              <td>
                <EmployeeStatusBadge status={employee.status} />
              </td>
            </tr>
          ))}
          {isLast && nextCursor && (
            <tr>
              <td colSpan={4}>
                <button
                  type="button"
                  className="button"
                  onClick={() => {
                    onMore(nextCursor);
                  }}
                >
                  {t('people.directory.more')}
                </button>
              </td>
            </tr>
          )}
        </>
      )}
    </tbody>
  );
}

/** The directory as a table, one `<tbody>` per page loaded. */
export function DirectoryResults({ filter }: { filter: EmployeeFilter }) {
  const { t } = useTranslation();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return (
    <table className="people-directory">
      <caption className="visually-hidden">{t('people.directory.caption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('people.directory.name')}</th>
          <th scope="col">{t('people.fields.title')}</th>
          <th scope="col">{t('people.fields.department')}</th>
          <th scope="col">{t('people.fields.status')}</th>
        </tr>
      </thead>
      {cursors.map((after, index) => (
        <DirectoryChunk
          key={after ?? ''}
          filter={filter}
          after={after}
          isLast={index === cursors.length - 1}
          onMore={(cursor) => {
            setCursors((all) => [...all, cursor]);
          }}
        />
      ))}
    </table>
  );
}
