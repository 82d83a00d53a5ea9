import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ErrorNotice } from '@/components/error-notice';
import { Loading } from '@/components/loading';
import { useAppStore } from '@/stores/app-store';
import { useEmployee } from '../api/use-employee';
import { EmployeeDetails } from './employee-details';
import { EmployeeStatusBadge } from './employee-status-badge';
import { EmploymentHistory } from './employment-history';
import { LeaveBalances } from './leave-balances';
import { OffboardPanel } from './offboard-panel';

/** Roles the API lets offboard someone (other than themself). */
const OFFBOARDERS = ['HR_MANAGER', 'ADMIN'] as const;

export function EmployeePage({ id }: { id: string }) {
  const { t } = useTranslation();
  const viewer = useAppStore((s) => s.user);
  const { employee, loaded, year, restricted, loading, errors, retry } = useEmployee(id);
  const mayOffboard =
    viewer !== null &&
    viewer.employeeId !== id &&
    OFFBOARDERS.some((role) => viewer.roles.includes(role));

  return (
    <div className="page employee-page">
      <p className="people-breadcrumb">
        <Link href="~/people">{t('people.directory.back')}</Link>
      </p>
      {loading ? (
        <Loading />
      ) : !employee ? (
        <>
          <ErrorNotice errors={errors} onRetry={retry} />
          {loaded && <p>{t('people.employee.notFound')}</p>}
        </>
      ) : (
        <>
          <header className="page__header">
            <h1>{employee.displayName}</h1>
            <EmployeeStatusBadge status={employee.status} />
          </header>
          <ErrorNotice errors={errors} onRetry={retry} />
          <EmployeeDetails employee={employee} restricted={restricted} />
          {/* What the API returned only: null (FORBIDDEN, or a failure in the notice) shows nothing. */}
          {(employee.leaveBalances !== null || employee.employmentHistory !== null) && (
            <div className="people-details people-details--more">
              {employee.leaveBalances && (
                <LeaveBalances balances={employee.leaveBalances} year={year} />
              )}
              {employee.employmentHistory && (
                <EmploymentHistory changes={employee.employmentHistory} />
              )}
            </div>
          )}
          {mayOffboard && employee.status !== 'OFFBOARDED' && <OffboardPanel employee={employee} />}
        </>
      )}
    </div>
  );
}
