import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from 'urql';
import { graphql } from '@/gql';
import type { RenderJobFieldsFragment } from '@/gql/graphql';
import { errorsFromCombined } from '@/lib/api-error';
import { useAppStore } from '@/stores/app-store';
import type { JobAction } from '../job-actions';

const CancelRenderJobMutation = graphql(`
  mutation CancelRenderJob($id: ID!) {
    cancelRenderJob(id: $id) {
      ...RenderJobFields
    }
  }
`);

const RetryRenderJobMutation = graphql(`
  mutation RetryRenderJob($id: ID!) {
    retryRenderJob(id: $id) {
      ...RenderJobFields
    }
  }
`);

const PauseRenderJobMutation = graphql(`
  mutation PauseRenderJob($id: ID!) {
    pauseRenderJob(id: $id) {
      ...RenderJobFields
    }
  }
`);

const ResumeRenderJobMutation = graphql(`
  mutation ResumeRenderJob($id: ID!) {
    resumeRenderJob(id: $id) {
      ...RenderJobFields
    }
  }
`);

const SetRenderJobPriorityMutation = graphql(`
  mutation SetRenderJobPriority($id: ID!, $priority: Int!) {
    setRenderJobPriority(id: $id, priority: $priority) {
      ...RenderJobFields
    }
  }
`);

type StatusAction = Exclude<JobAction, 'priority'>;

/** The job mutations; each reports its outcome as a notice and resolves to whether it worked. */
export function useJobMutations() {
  const { t } = useTranslation();
  const notify = useAppStore((s) => s.notify);
  const [cancelState, cancel] = useMutation(CancelRenderJobMutation);
  const [retryState, retry] = useMutation(RetryRenderJobMutation);
  const [pauseState, pause] = useMutation(PauseRenderJobMutation);
  const [resumeState, resume] = useMutation(ResumeRenderJobMutation);
  const [priorityState, setPriority] = useMutation(SetRenderJobPriorityMutation);

  const run = useCallback(
    async (action: StatusAction, job: RenderJobFieldsFragment) => {
      const execute = { cancel, retry, pause, resume }[action];
      const result = await execute({ id: job.id });
      if (result.error) {
        notify({
          kind: 'error',
          message: t(`render.failed.${action}`, { job: job.name }),
          errors: errorsFromCombined(result.error),
        });
        return false;
      }
      notify({ kind: 'success', message: t(`render.done.${action}`, { job: job.name }) });
      return true;
    },
    [cancel, retry, pause, resume, notify, t],
  );

  const prioritize = useCallback(
    async (job: RenderJobFieldsFragment, priority: number) => {
      const result = await setPriority({ id: job.id, priority });
      if (result.error) {
        notify({
          kind: 'error',
          message: t('render.failed.priority', { job: job.name }),
          errors: errorsFromCombined(result.error),
        });
        return false;
      }
      notify({ kind: 'success', message: t('render.done.priority', { job: job.name, priority }) });
      return true;
    },
    [setPriority, notify, t],
  );

  const busy =
    cancelState.fetching ||
    retryState.fetching ||
    pauseState.fetching ||
    resumeState.fetching ||
    priorityState.fetching;
  return { run, prioritize, busy };
}
