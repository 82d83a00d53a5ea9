import { useId, useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import type { ApiError } from '@/lib/api-error';
import { today } from '@/lib/dates';
import { useAppStore } from '@/stores/app-store';
import { useLogTime } from '../api/use-log-time';
import type { BoardTask } from '../board';

interface LogTimeFormProps {
  task: BoardTask;
  onDone: () => void;
}

/** Hours on a day (not in the future), with an optional note. */
export function LogTimeForm({ task, onDone }: LogTimeFormProps) {
  const { t } = useTranslation();
  const id = useId();
  const notify = useAppStore((s) => s.notify);
  const { logTime, saving } = useLogTime();
  const [date, setDate] = useState(() => today());
  const [hours, setHours] = useState('1');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<ApiError[]>([]);

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    const trimmed = note.trim();
    const failed = await logTime({
      taskId: task.id,
      date,
      hours: Number(hours),
      note: trimmed === '' ? null : trimmed,
      idempotencyKey: crypto.randomUUID(),
    });
    setErrors(failed);
    if (failed.length === 0) {
      notify({ kind: 'success', message: t('tasks.logged', { hours, task: task.name }) });
      onDone();
    }
  };

  return (
    <form
      className="log-time"
      aria-label={t('tasks.logTimeFor', { task: task.name })}
      onSubmit={(e) => {
        void submit(e);
      }}
    >
      <label htmlFor={`${id}-date`}>{t('tasks.date')}</label>
      <input
        id={`${id}-date`}
        type="date"
        required
        max={today()}
        value={date}
        onChange={(e) => {
          setDate(e.target.value);
        }}
      />
      <label htmlFor={`${id}-hours`}>{t('tasks.hours')}</label>
      <input
        id={`${id}-hours`}
        type="number"
        required
        min="0.25"
        max="24"
        step="0.25"
        value={hours}
        onChange={(e) => {
          setHours(e.target.value);
        }}
      />
      <label htmlFor={`${id}-note`}>{t('tasks.note')}</label>
      <input
        id={`${id}-note`}
        type="text"
        value={note}
        onChange={(e) => {
          setNote(e.target.value);
        }}
      />
      <ErrorNotice errors={errors} />
      <div className="log-time__actions">
        <button type="submit" className="button button--primary" disabled={saving}>
          {saving ? t('tasks.saving') : t('tasks.save')}
        </button>
        <button type="button" className="button" onClick={onDone}>
          {t('tasks.cancel')}
        </button>
      </div>
    </form>
  );
}
