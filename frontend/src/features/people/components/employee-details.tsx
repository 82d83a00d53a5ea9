import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import type { EmployeeProfileQuery } from '@/gql/graphql';
import { dayParams, moneyParams } from '../format';

export type Profile = NonNullable<EmployeeProfileQuery['employee']>;

/** One labelled value of a `people-fields` list. */
export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** The fields of the API's private set it returned to this viewer. */
const PRIVATE = ['salary', 'phone', 'personalEmail', 'birthDate'] as const;

interface EmployeeDetailsProps {
  employee: Profile;
  /** Fields the API withheld from this viewer. */
  restricted: ReadonlySet<string>;
}

/**
 * Work details for everyone; salary and personal data only when the API returned them (HR,
 * admins and the person themself), never inferred from the viewer's roles.
 */
export function EmployeeDetails({ employee, restricted }: EmployeeDetailsProps) {
  const { t } = useTranslation();
  const none = t('people.none');
  const shown = PRIVATE.filter((field) => !restricted.has(field));
  return (
    <div className="people-details">
      <section aria-labelledby="employee-work">
        <h2 id="employee-work">{t('people.employee.work')}</h2>
        <dl className="people-fields">
          <Field label={t('people.fields.employeeNumber')}>{employee.employeeNumber}</Field>
          <Field label={t('people.fields.email')}>
            <a href={`mailto:${employee.email}`}>{employee.email}</a>
          </Field>
          <Field label={t('people.fields.title')}>{employee.title ?? none}</Field>
          <Field label={t('people.fields.department')}>{employee.department?.name ?? none}</Field>
          <Field label={t('people.fields.manager')}>
            {employee.manager ? (
              <Link href={`/${employee.manager.id}`}>{employee.manager.displayName}</Link>
            ) : (
              none
            )}
          </Field>
          <Field label={t('people.fields.hireDate')}>
            {t('people.date', dayParams(employee.hireDate))}
          </Field>
          {employee.endDate && (
            <Field label={t('people.fields.endDate')}>
              {t('people.date', dayParams(employee.endDate))}
            </Field>
          )}
          {!restricted.has('offboardReason') && employee.offboardReason && (
            <Field label={t('people.fields.offboardReason')}>{employee.offboardReason}</Field>
          )}
        </dl>
      </section>
      <section aria-labelledby="employee-private" data-testid="employee-private">
        <h2 id="employee-private">{t('people.employee.private')}</h2>
        {shown.length === 0 ? (
          <p className="muted">{t('people.employee.privateHidden')}</p>
        ) : (
          <dl className="people-fields">
            {shown.includes('salary') && (
              <Field label={t('people.fields.salary')}>
                {employee.salary ? t('people.money', moneyParams(employee.salary)) : none}
              </Field>
            )}
            {shown.includes('phone') && (
              <Field label={t('people.fields.phone')}>{employee.phone ?? none}</Field>
            )}
            {shown.includes('personalEmail') && (
              <Field label={t('people.fields.personalEmail')}>
                {employee.personalEmail ?? none}
              </Field>
            )}
            {shown.includes('birthDate') && (
              <Field label={t('people.fields.birthDate')}>
                {employee.birthDate ? t('people.date', dayParams(employee.birthDate)) : none}
              </Field>
            )}
          </dl>
        )}
      </section>
    </div>
  );
}
