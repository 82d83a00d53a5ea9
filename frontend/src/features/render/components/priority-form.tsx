import { useId, useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RenderJobFieldsFragment } from '@/gql/graphql';

interface PriorityFormProps {
  job: RenderJobFieldsFragment;
  busy: boolean;
  onSet: (job: RenderJobFieldsFragment, priority: number) => Promise<boolean>;
}

/** The job's priority, 0 (lowest) to 100, as the server bounds it. */
export function PriorityForm({ job, busy, onSet }: PriorityFormProps) {
  const { t } = useTranslation();
  const id = useId();
  const [value, setValue] = useState(String(job.priority));
  const parsed = Number(value);
  const valid = value.trim() !== '' && Number.isInteger(parsed) && parsed >= 0 && parsed <= 100;

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (valid && parsed !== job.priority) await onSet(job, parsed);
  };

  return (
    <form
      className="priority-form"
      aria-label={t('render.priorityOf', { job: job.name })}
      onSubmit={(e) => {
        void submit(e);
      }}
    >
      <label htmlFor={`${id}-priority`}>{t('render.priority')}</label>
      <input
        id={`${id}-priority`}
        type="number"
        min={0}
        max={100}
        step={1}
        required
        value={value}
        onChange={(e) => {
          setValue(e.target.value);
        }}
      />
      <button
        type="submit"
        className="button button--small"
        disabled={busy || !valid || parsed === job.priority}
      >
        {t('render.setPriority')}
      </button>
    </form>
  );
}
