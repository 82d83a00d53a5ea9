import { useId, useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import type { ProjectTaskFieldsFragment } from '@/gql/graphql';
import type { ApiError } from '@/lib/api-error';
import { parseDate } from '@/lib/dates';
import { useAppStore } from '@/stores/app-store';
import { useAssignTask } from '../api/use-assign-task';
import { useAssigneeOptions } from '../api/use-assignee-options';
import type { LeaveConflict } from '../conflicts';
import { useProjectsUi } from '../stores/projects-ui-store';

function Conflicts({ conflicts, name }: { conflicts: LeaveConflict[]; name: string }) {
  const { t } = useTranslation();
  if (conflicts.length === 0) return null;
  const day = (value: string) => ({
    date: parseDate(value),
    formatParams: { date: { dateStyle: 'medium' } },
  });
  return (
    <div className="assign-form__conflicts" data-testid="leave-conflicts">
      <p>{t('projects.conflictsTitle', { name })}</p>
      <ul>
        {conflicts.map((c) => (
          <li key={`${c.start}-${c.end}`} data-start={c.start} data-end={c.end}>
            <time dateTime={c.start}>{t('projects.day', day(c.start))}</time>
            {' – '}
            <time dateTime={c.end}>{t('projects.day', day(c.end))}</time>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Pick a person (searchable), add a note, assign; a refusal shows its leave conflicts. */
export function AssignTaskForm({ task }: { task: ProjectTaskFieldsFragment }) {
  const { t } = useTranslation();
  const id = useId();
  const notify = useAppStore((s) => s.notify);
  const close = useProjectsUi((s) => s.closeAssign);
  const [search, setSearch] = useState('');
  const [employeeId, setEmployeeId] = useState(task.assignee?.id ?? '');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<ApiError[]>([]);
  const [conflicts, setConflicts] = useState<LeaveConflict[]>([]);
  const options = useAssigneeOptions(search);
  const { assign, assigning } = useAssignTask();
  const chosen = options.employees.find((e) => e.id === employeeId);

  const submit = async (event: SyntheticEvent, to: string | null) => {
    event.preventDefault();
    const outcome = await assign(task.id, to, note);
    setErrors(outcome.errors);
    setConflicts(outcome.conflicts);
    if (outcome.errors.length === 0) {
      notify({
        kind: 'success',
        message: to
          ? t('projects.assigned', { task: task.name, name: chosen?.displayName ?? '' })
          : t('projects.unassignedDone', { task: task.name }),
      });
      close();
    }
  };

  return (
    <form
      className="assign-form"
      aria-label={t('projects.assignLabel', { task: task.name })}
      onSubmit={(e) => {
        void submit(e, employeeId === '' ? null : employeeId);
      }}
    >
      <div className="assign-form__fields">
        <label htmlFor={`${id}-search`}>{t('projects.searchPeople')}</label>
        <input
          id={`${id}-search`}
          type="search"
          placeholder={t('projects.searchHint')}
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
          }}
        />
        <label htmlFor={`${id}-person`}>{t('projects.assignee')}</label>
        <select
          id={`${id}-person`}
          required
          value={employeeId}
          disabled={options.loading}
          onChange={(e) => {
            setEmployeeId(e.target.value);
          }}
        >
          <option value="" disabled>
            {options.loading ? t('app.loading') : t('projects.choosePerson')}
          </option>
          {task.assignee && !options.employees.some((e) => e.id === task.assignee?.id) && (
            <option value={task.assignee.id}>{task.assignee.displayName}</option>
          )}
          {options.employees.map((e) => (
            <option key={e.id} value={e.id}>
              {[
                e.displayName,
                e.title,
                e.department?.name,
                e.status === 'ON_LEAVE' ? t('projects.onLeave') : null,
              ]
                .filter(Boolean)
                .join(' · ')}
            </option>
          ))}
        </select>
        {options.totalCount > options.employees.length && (
          <p className="assign-form__hint">
            {t('projects.refineSearch', {
              shown: options.employees.length,
              count: options.totalCount,
            })}
          </p>
        )}
        <label htmlFor={`${id}-note`}>{t('projects.note')}</label>
        <input
          id={`${id}-note`}
          type="text"
          value={note}
          onChange={(e) => {
            setNote(e.target.value);
          }}
        />
      </div>
      <ErrorNotice errors={options.errors} onRetry={options.retry} />
      <ErrorNotice errors={errors} title={t('projects.assignFailed', { task: task.name })} />
      <Conflicts conflicts={conflicts} name={chosen?.displayName ?? ''} />
      <div className="assign-form__actions">
        <button type="submit" className="button button--primary" disabled={assigning}>
          {assigning ? t('projects.assigning') : t('projects.assign')}
        </button>
        {task.assignee && (
          <button
            type="button"
            className="button"
            disabled={assigning}
            onClick={(e) => {
              void submit(e, null);
            }}
          >
            {t('projects.unassign')}
          </button>
        )}
        <button type="button" className="button" onClick={close}>
          {t('projects.cancel')}
        </button>
      </div>
    </form>
  );
}
