import { useTranslation } from 'react-i18next';
import type { SharedTaskFieldsFragment } from '@/gql/graphql';
import { isOverdue, parseDate } from '@/lib/dates';

/** How many of a task's versions the card shows, newest first. */
export const VERSIONS_SHOWN = 3;

type Version = SharedTaskFieldsFragment['versions'][number];
type Note = SharedTaskFieldsFragment['notes'][number];

const dateTime = (value: string) => ({
  date: new Date(value),
  formatParams: { date: { dateStyle: 'medium', timeStyle: 'short' } },
});

function VersionItem({ version }: { version: Version }) {
  const { t } = useTranslation();
  return (
    <li className="version" data-testid="shared-version" data-version-number={version.number}>
      <p>
        <strong>{t('shared.version', { number: version.number })}</strong>{' '}
        <span className={`badge badge--${version.status.toLowerCase()}`}>
          {t(`shared.versionStatus.${version.status}`)}
        </span>{' '}
        <time dateTime={version.createdAt}>
          {t('shared.dateTime', dateTime(version.createdAt))}
        </time>
      </p>
      <p className="version__path">
        <code>{version.path}</code>
        {version.frameStart !== null && version.frameEnd !== null && (
          <> · {t('shared.frames', { start: version.frameStart, end: version.frameEnd })}</>
        )}
      </p>
      {version.comment && <p>{version.comment}</p>}
    </li>
  );
}

function NoteItem({ note }: { note: Note }) {
  const { t } = useTranslation();
  return (
    <li className="shared-note" data-testid="shared-note">
      <p className="shared-note__meta">
        <span className="badge">{t(`shared.noteKind.${note.kind}`)}</span>
        {note.version && <>{t('shared.onVersion', { number: note.version.number })} · </>}
        <time dateTime={note.createdAt}>{t('shared.dateTime', dateTime(note.createdAt))}</time>
      </p>
      <p className="shared-note__body">{note.body}</p>
    </li>
  );
}

/**
 * One shared task, read-only: where it sits, its status and due date, its newest versions and
 * its notes. It offers no action: the API refuses every write of a vendor on a shared task.
 */
export function SharedTask({ task }: { task: SharedTaskFieldsFragment }) {
  const { t } = useTranslation();
  const titleId = `shared-${task.id}`;
  const versions = [...task.versions].sort((a, b) => b.number - a.number);
  const shown = versions.slice(0, VERSIONS_SHOWN);
  // The API already leaves out SYSTEM notes for a vendor; never show one if it did not.
  const notes = task.notes.filter((note) => note.kind !== 'SYSTEM');
  const overdue = task.status !== 'APPROVED' && isOverdue(task.dueDate);
  const where = task.shot
    ? t('shared.shot', { code: task.shot.code })
    : task.asset
      ? t('shared.asset', { code: task.asset.code, name: task.asset.name })
      : null;
  return (
    <article
      className="shared-task"
      aria-labelledby={titleId}
      data-testid="shared-task"
      data-task-id={task.id}
    >
      <header className="shared-task__header">
        <h3 id={titleId}>{task.name}</h3>
        <span className="shared-task__type">{t(`taskType.${task.type}`)}</span>
        <span className="badge" data-testid="shared-status">
          {t(`status.${task.status}`)}
        </span>
      </header>
      <p className="shared-task__meta">
        {where && <>{where} · </>}
        {task.dueDate
          ? t('shared.due', {
              date: parseDate(task.dueDate),
              formatParams: { date: { dateStyle: 'medium' } },
            })
          : t('shared.noDueDate')}{' '}
        {overdue && <span className="badge badge--overdue">{t('shared.overdue')}</span>}
      </p>
      <section aria-label={t('shared.versionsOf', { task: task.name })}>
        <h4>
          {versions.length > shown.length
            ? t('shared.latestVersions', { shown: shown.length, count: versions.length })
            : t('shared.versions')}
        </h4>
        {shown.length === 0 ? (
          <p className="shared-task__empty">{t('shared.noVersions')}</p>
        ) : (
          <ul className="shared-task__list">
            {shown.map((version) => (
              <VersionItem key={version.id} version={version} />
            ))}
          </ul>
        )}
      </section>
      <section aria-label={t('shared.notesOf', { task: task.name })}>
        <h4>{t('shared.notes')}</h4>
        {notes.length === 0 ? (
          <p className="shared-task__empty">{t('shared.noNotes')}</p>
        ) : (
          <ul className="shared-task__list">
            {notes.map((note) => (
              <NoteItem key={note.id} note={note} />
            ))}
          </ul>
        )}
      </section>
    </article>
  );
}
