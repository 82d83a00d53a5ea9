import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import type { EmployeeProfileQuery } from '@/gql/graphql';
import { dayParams, moneyParams } from '../format';
import { Field } from './employee-details';

export type EmploymentChange = NonNullable<
  NonNullable<EmployeeProfileQuery['employee']>['employmentHistory']
>[number];

/**
 * The effective-dated changes of someone's terms, in the API's order (oldest first): from each
 * date, the title, department, manager and salary it set (what it left out is not listed) and
 * why.
 */
export function EmploymentHistory({ changes }: { changes: readonly EmploymentChange[] }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <section
      className="people-card people-history"
      aria-labelledby={`${id}-title`}
      data-testid="employment-history"
    >
      <h2 id={`${id}-title`}>{t('people.history.title')}</h2>
      {changes.length === 0 ? (
        <p className="muted">{t('people.history.none')}</p>
      ) : (
        <ol className="people-history__list">
          {changes.map((change) => (
            <li key={change.id} data-testid="employment-change">
              <h3>{t('people.history.from', dayParams(change.effectiveDate))}</h3>
              <dl className="people-fields">
                {change.title && <Field label={t('people.fields.title')}>{change.title}</Field>}
                {change.department && (
                  <Field label={t('people.fields.department')}>{change.department.name}</Field>
                )}
                {change.manager && (
                  <Field label={t('people.fields.manager')}>
                    <Link href={`/${change.manager.id}`}>{change.manager.displayName}</Link>
                  </Field>
                )}
                {change.salary && (
                  <Field label={t('people.fields.salary')}>
                    {t('people.money', moneyParams(change.salary))}
                  </Field>
                )}
                {change.reason && <Field label={t('people.history.reason')}>{change.reason}</Field>}
              </dl>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
