import { useTranslation } from 'react-i18next';
import { progressPercent } from '../job-actions';

interface ProgressBarProps {
  done: number;
  total: number;
  label: string;
  status: string;
}

/** Chunks done of all chunks, as an accessible progress bar that moves as agents report. */
export function ProgressBar({ done, total, label, status }: ProgressBarProps) {
  const { t } = useTranslation();
  const percent = progressPercent({ done, total });
  return (
    <div className="progress">
      <div
        className={`progress__track progress__track--${status.toLowerCase()}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-valuetext={t('render.progressText', { done, total, percent })}
        data-testid="job-progress"
      >
        <div className="progress__bar" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress__text">{t('render.progressText', { done, total, percent })}</span>
    </div>
  );
}
