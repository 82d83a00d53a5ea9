import { useEffect, useId, useRef, useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import type { ApiError } from '@/lib/api-error';
import { today } from '@/lib/dates';
import { useAppStore } from '@/stores/app-store';
import { useOffboardEmployee } from '../api/use-offboard-employee';
import { dayParams } from '../format';

interface OffboardPanelProps {
  employee: { id: string; displayName: string; hireDate: string };
}

type Step = 'closed' | 'form' | 'confirm';

/**
 * HR's offboarding: a date and a reason, then a confirmation that says what happens (login
 * disabled, API tokens revoked, pending leave cancelled, open tasks unassigned).
 */
export function OffboardPanel({ employee }: OffboardPanelProps) {
  const { t } = useTranslation();
  const id = useId();
  const notify = useAppStore((s) => s.notify);
  const { offboard, offboarding } = useOffboardEmployee();
  const [step, setStep] = useState<Step>('closed');
  const [date, setDate] = useState(() => today());
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<ApiError[]>([]);
  const confirmRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (step === 'confirm') confirmRef.current?.focus();
  }, [step]);

  const review = (event: SyntheticEvent) => {
    event.preventDefault();
    setErrors([]);
    setStep('confirm');
  };

  const confirm = async () => {
    const failed = await offboard(employee.id, date, reason);
    setErrors(failed);
    if (failed.length === 0) {
      notify({
        kind: 'success',
        message: t('people.offboard.done', { name: employee.displayName, ...dayParams(date) }),
      });
      setStep('closed');
    }
  };

  return (
    <section className="people-offboard" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('people.offboard.title')}</h2>
      {step === 'closed' && (
        <button
          type="button"
          className="button"
          onClick={() => {
            setStep('form');
          }}
        >
          {t('people.offboard.start', { name: employee.displayName })}
        </button>
      )}
      {step === 'form' && (
        <form className="people-form" onSubmit={review}>
          <label htmlFor={`${id}-date`}>{t('people.offboard.effectiveDate')}</label>
          <input
            id={`${id}-date`}
            type="date"
            required
            min={employee.hireDate}
            value={date}
            onChange={(e) => {
              setDate(e.target.value);
            }}
          />
          <label htmlFor={`${id}-reason`}>{t('people.offboard.reason')}</label>
          <textarea
            id={`${id}-reason`}
            rows={3}
            required
            maxLength={2000}
            value={reason}
            onChange={(e) => {
              setReason(e.target.value);
            }}
          />
          <div className="people-form__actions">
            <button
              type="submit"
              className="button button--primary"
              disabled={reason.trim() === ''}
            >
              {t('people.offboard.continue')}
            </button>
            <button
              type="button"
              className="button"
              onClick={() => {
                setStep('closed');
              }}
            >
              {t('people.cancel')}
            </button>
          </div>
        </form>
      )}
      {step === 'confirm' && (
        <div className="people-offboard__confirm" role="group" aria-labelledby={`${id}-confirm`}>
          <h3 id={`${id}-confirm`} ref={confirmRef} tabIndex={-1}>
            {t('people.offboard.confirmTitle', {
              name: employee.displayName,
              ...dayParams(date),
            })}
          </h3>
          <p>{t('people.offboard.consequences')}</p>
          <p>
            <strong>{t('people.offboard.reason')}:</strong> {reason.trim()}
          </p>
          <ErrorNotice errors={errors} title={t('people.offboard.failed')} />
          <div className="people-form__actions">
            <button
              type="button"
              className="button people-danger"
              disabled={offboarding}
              onClick={() => {
                void confirm();
              }}
            >
              {offboarding
                ? t('people.offboard.working')
                : t('people.offboard.confirm', { name: employee.displayName })}
            </button>
            <button
              type="button"
              className="button"
              disabled={offboarding}
              onClick={() => {
                setStep('form');
              }}
            >
              {t('people.offboard.back')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
