import { useId, useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import type { LeaveType } from '@/gql/graphql';
import type { ApiError } from '@/lib/api-error';
import { today } from '@/lib/dates';
import { useAppStore } from '@/stores/app-store';
import { useRequestLeave } from '../api/use-leave-actions';
import { dayParams } from '../format';
import { LEAVE_TYPES, periodProblem } from '../leave';

/** A leave request for the viewer: type, first and last day, reason. */
export function LeaveRequestForm({ onRequested }: { onRequested: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const notify = useAppStore((s) => s.notify);
  const { request, requesting } = useRequestLeave();
  const [type, setType] = useState<LeaveType>('VACATION');
  const [startDate, setStartDate] = useState(() => today());
  const [endDate, setEndDate] = useState(() => today());
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<ApiError[]>([]);
  const problem = periodProblem(startDate, endDate);

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (problem) return;
    const failed = await request({ type, startDate, endDate, reason });
    setErrors(failed);
    if (failed.length === 0) {
      notify({
        kind: 'success',
        message: t('people.leave.requested', {
          type: t(`people.leaveType.${type}`),
          start: t('people.date', dayParams(startDate)),
          end: t('people.date', dayParams(endDate)),
        }),
      });
      setReason('');
      onRequested();
    }
  };

  return (
    <form
      className="people-card people-form"
      aria-labelledby={`${id}-title`}
      onSubmit={(e) => {
        void submit(e);
      }}
    >
      <h2 id={`${id}-title`}>{t('people.leave.request')}</h2>
      <label htmlFor={`${id}-type`}>{t('people.leave.type')}</label>
      <select
        id={`${id}-type`}
        value={type}
        onChange={(e) => {
          setType(e.target.value as LeaveType);
        }}
      >
        {LEAVE_TYPES.map((value) => (
          <option key={value} value={value}>
            {t(`people.leaveType.${value}`)}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-start`}>{t('people.leave.startDate')}</label>
      <input
        id={`${id}-start`}
        type="date"
        required
        value={startDate}
        onChange={(e) => {
          setStartDate(e.target.value);
          if (endDate < e.target.value) setEndDate(e.target.value);
        }}
      />
      <label htmlFor={`${id}-end`}>{t('people.leave.endDate')}</label>
      <input
        id={`${id}-end`}
        type="date"
        required
        min={startDate}
        value={endDate}
        aria-describedby={problem ? `${id}-problem` : undefined}
        aria-invalid={problem ? true : undefined}
        onChange={(e) => {
          setEndDate(e.target.value);
        }}
      />
      {problem && (
        <p id={`${id}-problem`} className="people-form__wide people-form__problem">
          {t(`people.leave.problem.${problem}`)}
        </p>
      )}
      <label htmlFor={`${id}-reason`}>{t('people.leave.reason')}</label>
      <input
        id={`${id}-reason`}
        type="text"
        value={reason}
        onChange={(e) => {
          setReason(e.target.value);
        }}
      />
      <ErrorNotice errors={errors} title={t('people.leave.requestFailed')} />
      <div className="people-form__actions">
        <button
          type="submit"
          className="button button--primary"
          disabled={requesting || problem !== null}
        >
          {requesting ? t('people.leave.sending') : t('people.leave.submit')}
        </button>
      </div>
    </form>
  );
}
