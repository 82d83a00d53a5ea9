import { useTranslation } from 'react-i18next';
import type { EmployeeStatus } from '@/gql/graphql';

export function EmployeeStatusBadge({ status }: { status: EmployeeStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge--employee-${status.toLowerCase()}`}>
      {t(`people.employeeStatus.${status}`)}
    </span>
  );
}
