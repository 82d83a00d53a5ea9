import { useId, useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import type { ProjectTaskFieldsFragment } from '@/gql/graphql';
import type { ApiError } from '@/lib/api-error';
import { useAppStore } from '@/stores/app-store';
import { useShareTask } from '../api/use-share-task';
import { useVendorTenants } from '../api/use-vendor-tenants';
import { useProjectsUi } from '../stores/projects-ui-store';
import { vendorIdProblem, vendorName, type VendorIdProblem } from '../vendor-id';

/**
 * The vendors a task is shared with (by name when `vendorTenants` lists them, else by id), each
 * with Unshare, and a form to share it with one more, chosen from `vendorTenants` by name.
 */
export function ShareTaskPanel({ task }: { task: ProjectTaskFieldsFragment }) {
  const { t } = useTranslation();
  const id = useId();
  const notify = useAppStore((s) => s.notify);
  const close = useProjectsUi((s) => s.closeShare);
  const { share, unshare, busy } = useShareTask();
  const options = useVendorTenants();
  const [vendorId, setVendorId] = useState('');
  const [problem, setProblem] = useState<VendorIdProblem | null>(null);
  const [errors, setErrors] = useState<ApiError[]>([]);
  const nameOf = (vendor: string) => vendorName(vendor, options.vendors);
  const noVendors = !options.loading && options.errors.length === 0 && options.vendors.length === 0;

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    const found = vendorIdProblem(vendorId, task.sharedWith);
    setProblem(found);
    if (found) return;
    const failed = await share(task.id, vendorId);
    setErrors(failed);
    if (failed.length === 0) {
      setVendorId('');
      notify({
        kind: 'success',
        message: t('projects.share.shared', { task: task.name, vendor: nameOf(vendorId) }),
      });
    }
  };

  const withdraw = async (vendor: string) => {
    const failed = await unshare(task.id, vendor);
    setErrors(failed);
    if (failed.length === 0) {
      notify({
        kind: 'success',
        message: t('projects.share.unshared', { task: task.name, vendor: nameOf(vendor) }),
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
          {task.sharedWith.map((vendor) => {
            const name = nameOf(vendor);
            return (
              <li key={vendor} data-vendor-id={vendor}>
                {name === vendor ? <code>{vendor}</code> : <span title={vendor}>{name}</span>}{' '}
                <button
                  type="button"
                  className="button button--small"
                  disabled={busy}
                  aria-label={t('projects.share.unshareLabel', { task: task.name, vendor: name })}
                  onClick={() => {
                    void withdraw(vendor);
                  }}
                >
                  {t('projects.share.unshare')}
                </button>
              </li>
            );
          })}
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
          <label htmlFor={`${id}-vendor`}>{t('projects.share.vendor')}</label>
          <select
            id={`${id}-vendor`}
            value={vendorId}
            disabled={options.loading || noVendors}
            aria-invalid={problem !== null}
            aria-describedby={problem ? `${id}-problem` : undefined}
            onChange={(e) => {
              setVendorId(e.target.value);
              setProblem(null);
            }}
          >
            <option value="" disabled>
              {options.loading
                ? t('app.loading')
                : noVendors
                  ? t('projects.share.noVendors')
                  : t('projects.share.chooseVendor')}
            </option>
            {options.vendors.map((vendor) => (
              <option key={vendor.id} value={vendor.id}>
                {vendor.name}
              </option>
            ))}
          </select>
          {problem && (
            <p id={`${id}-problem`} className="share-panel__problem" role="alert">
              {t(`projects.share.problem.${problem}`)}
            </p>
          )}
        </div>
        <ErrorNotice
          errors={options.errors}
          title={t('projects.share.vendorsFailed')}
          onRetry={options.retry}
        />
        <ErrorNotice errors={errors} title={t('projects.share.failed', { task: task.name })} />
        <div className="assign-form__actions">
          <button
            type="submit"
            className="button button--primary"
            disabled={busy || options.loading || noVendors}
          >
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
