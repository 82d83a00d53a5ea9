import { useId, useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import type { ProjectTaskFieldsFragment } from '@/gql/graphql';
import type { ApiError } from '@/lib/api-error';
import { useAppStore } from '@/stores/app-store';
import { useShareTask } from '../api/use-share-task';
import { useProjectsUi } from '../stores/projects-ui-store';
import { vendorIdProblem, type VendorIdProblem } from '../vendor-id';

/**
 * The vendors a task is shared with, each with Unshare, and a form to share it with one more.
 * The API lists no vendor tenants, so the vendor's tenant id is typed (checked before sending).
 */
export function ShareTaskPanel({ task }: { task: ProjectTaskFieldsFragment }) {
  const { t } = useTranslation();
  const id = useId();
  const notify = useAppStore((s) => s.notify);
  const ownTenantId = useAppStore((s) => s.user?.tenantId ?? null);
  const close = useProjectsUi((s) => s.closeShare);
  const { share, unshare, busy } = useShareTask();
  const [vendorId, setVendorId] = useState('');
  const [problem, setProblem] = useState<VendorIdProblem | null>(null);
  const [errors, setErrors] = useState<ApiError[]>([]);

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    const found = vendorIdProblem(vendorId, ownTenantId, task.sharedWith);
    setProblem(found);
    if (found) return;
    const vendor = vendorId.trim().toLowerCase();
    const failed = await share(task.id, vendor);
    setErrors(failed);
    if (failed.length === 0) {
      setVendorId('');
      notify({ kind: 'success', message: t('projects.share.shared', { task: task.name, vendor }) });
    }
  };

  const withdraw = async (vendor: string) => {
    const failed = await unshare(task.id, vendor);
    setErrors(failed);
    if (failed.length === 0) {
      notify({
        kind: 'success',
        message: t('projects.share.unshared', { task: task.name, vendor }),
      });
    }
  };

  return (
    <section
      className="share-panel"
      aria-label={t('projects.share.label', { task: task.name })}
      data-testid="share-panel"
    >
      <h4 className="share-panel__title">{t('projects.share.current')}</h4>
      {task.sharedWith.length === 0 ? (
        <p className="share-panel__empty">{t('projects.share.none')}</p>
      ) : (
        <ul className="share-panel__list">
          {task.sharedWith.map((vendor) => (
            <li key={vendor} data-vendor-id={vendor}>
              <code>{vendor}</code>{' '}
              <button
                type="button"
                className="button button--small"
                disabled={busy}
                aria-label={t('projects.share.unshareLabel', { task: task.name, vendor })}
                onClick={() => {
                  void withdraw(vendor);
                }}
              >
                {t('projects.share.unshare')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="assign-form"
        noValidate
        onSubmit={(e) => {
          void submit(e);
        }}
      >
        <div className="assign-form__fields">
          <label htmlFor={`${id}-vendor`}>{t('projects.share.vendorId')}</label>
          <input
            id={`${id}-vendor`}
            type="text"
            autoComplete="off"
            spellCheck={false}
            placeholder="00000000-0000-0000-0000-000000000000"
            aria-invalid={problem !== null}
            aria-describedby={`${id}-hint${problem ? ` ${id}-problem` : ''}`}
            value={vendorId}
            onChange={(e) => {
              setVendorId(e.target.value);
              setProblem(null);
            }}
          />
          <p id={`${id}-hint`} className="assign-form__hint">
            {t('projects.share.hint')}
          </p>
          {problem && (
            <p id={`${id}-problem`} className="share-panel__problem" role="alert">
              {t(`projects.share.problem.${problem}`)}
            </p>
          )}
        </div>
        <ErrorNotice errors={errors} title={t('projects.share.failed', { task: task.name })} />
        <div className="assign-form__actions">
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? t('projects.share.sharing') : t('projects.share.submit')}
          </button>
          <button type="button" className="button" onClick={close}>
            {t('projects.share.close')}
          </button>
        </div>
      </form>
    </section>
  );
}
