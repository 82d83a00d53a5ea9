import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import { Loading } from '@/components/loading';
import type { AssetPageFieldsFragment, ShotPageFieldsFragment } from '@/gql/graphql';
import { useAssetsPage, useShotsPage } from '../api/use-more-pages';
import { AssetCard, ShotCard } from './entity-cards';
import { LoadMore, useMorePages } from './load-more';

interface MoreProps {
  projectId: string;
  after: string;
  last: boolean;
  onMore: (cursor: string) => void;
}

function MoreShots({ projectId, after, last, onMore }: MoreProps) {
  const { t } = useTranslation();
  const { nodes, nextCursor, loading, errors, retry } = useShotsPage(projectId, after);
  if (loading) return <Loading />;
  if (errors.length > 0) return <ErrorNotice errors={errors} onRetry={retry} />;
  return (
    <>
      {nodes.map((shot) => (
        <ShotCard key={shot.id} shot={shot} />
      ))}
      {last && <LoadMore cursor={nextCursor} label={t('projects.moreShots')} onMore={onMore} />}
    </>
  );
}

function MoreAssets({ projectId, after, last, onMore }: MoreProps) {
  const { t } = useTranslation();
  const { nodes, nextCursor, loading, errors, retry } = useAssetsPage(projectId, after);
  if (loading) return <Loading />;
  if (errors.length > 0) return <ErrorNotice errors={errors} onRetry={retry} />;
  return (
    <>
      {nodes.map((asset) => (
        <AssetCard key={asset.id} asset={asset} />
      ))}
      {last && <LoadMore cursor={nextCursor} label={t('projects.moreAssets')} onMore={onMore} />}
    </>
  );
}

const next = (page: { pageInfo: { hasNextPage: boolean; endCursor: string | null } }) =>
  page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;

interface SectionProps<P> {
  projectId: string;
  firstPage: P;
}

/** The project's shots: the first page from the project view, further pages on demand. */
export function ShotsSection({ projectId, firstPage }: SectionProps<ShotPageFieldsFragment>) {
  const { t } = useTranslation();
  const { cursors, more } = useMorePages();
  return (
    <section className="entity-section" aria-labelledby="shots-title">
      <h2 id="shots-title">{t('projects.shots', { count: firstPage.totalCount })}</h2>
      {firstPage.totalCount === 0 && <p>{t('projects.noShots')}</p>}
      {firstPage.nodes.map((shot) => (
        <ShotCard key={shot.id} shot={shot} />
      ))}
      {cursors.length === 0 && (
        <LoadMore cursor={next(firstPage)} label={t('projects.moreShots')} onMore={more} />
      )}
      {cursors.map((after, index) => (
        <MoreShots
          key={after}
          projectId={projectId}
          after={after}
          last={index === cursors.length - 1}
          onMore={more}
        />
      ))}
    </section>
  );
}

/** The project's assets, paged like the shots. */
export function AssetsSection({ projectId, firstPage }: SectionProps<AssetPageFieldsFragment>) {
  const { t } = useTranslation();
  const { cursors, more } = useMorePages();
  return (
    <section className="entity-section" aria-labelledby="assets-title">
      <h2 id="assets-title">{t('projects.assets', { count: firstPage.totalCount })}</h2>
      {firstPage.totalCount === 0 && <p>{t('projects.noAssets')}</p>}
      {firstPage.nodes.map((asset) => (
        <AssetCard key={asset.id} asset={asset} />
      ))}
      {cursors.length === 0 && (
        <LoadMore cursor={next(firstPage)} label={t('projects.moreAssets')} onMore={more} />
      )}
      {cursors.map((after, index) => (
        <MoreAssets
          key={after}
          projectId={projectId}
          after={after}
          last={index === cursors.length - 1}
          onMore={more}
        />
      ))}
    </section>
  );
}
