import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '@/components/error-notice';
import { Loading } from '@/components/loading';
import type { AssetPageFieldsFragment, ShotPageFieldsFragment } from '@/gql/graphql';
import { useAssetsPage, useShotsPage } from '../api/use-more-pages';
import { AssetCard, ShotCard } from './entity-cards';
import { LoadMore, useMorePages } from './load-more';

/** A further page as the page hooks return it. */
interface PageResult<N> {
  nodes: N[];
  nextCursor: string | null;
  loading: boolean;
  errors: ReturnType<typeof useShotsPage>['errors'];
  retry: () => void;
}

/** What differs between the project's paged lists (shots, assets). */
interface PagedKind<N extends { id: string }> {
  /** Loads the page after a cursor (a hook: the same one on every render). */
  usePage: (projectId: string, after: string) => PageResult<N>;
  renderNode: (node: N) => ReactNode;
  moreLabel: string;
}

interface MoreProps<N extends { id: string }> {
  kind: PagedKind<N>;
  projectId: string;
  after: string;
  last: boolean;
  onMore: (cursor: string) => void;
}

function MorePage<N extends { id: string }>({
  kind,
  projectId,
  after,
  last,
  onMore,
}: MoreProps<N>) {
  const { nodes, nextCursor, loading, errors, retry } = kind.usePage(projectId, after);
  if (loading) return <Loading />;
  if (errors.length > 0) return <ErrorNotice errors={errors} onRetry={retry} />;
  return (
    <>
      {nodes.map((node) => kind.renderNode(node))}
      {last && <LoadMore cursor={nextCursor} label={kind.moreLabel} onMore={onMore} />}
    </>
  );
}

interface FirstPage<N> {
  totalCount: number;
  nodes: N[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

interface PagedSectionProps<N extends { id: string }> {
  id: string;
  title: string;
  empty: string;
  projectId: string;
  firstPage: FirstPage<N>;
  kind: PagedKind<N>;
}

/** A titled list: the first page from the project view, further pages on demand. */
function PagedSection<N extends { id: string }>({
  id,
  title,
  empty,
  projectId,
  firstPage,
  kind,
}: PagedSectionProps<N>) {
  const { cursors, more } = useMorePages();
  const firstNext = firstPage.pageInfo.hasNextPage ? firstPage.pageInfo.endCursor : null;
  return (
    <section className="entity-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {firstPage.totalCount === 0 && <p>{empty}</p>}
      {firstPage.nodes.map((node) => kind.renderNode(node))}
      {cursors.length === 0 && <LoadMore cursor={firstNext} label={kind.moreLabel} onMore={more} />}
      {cursors.map((after, index) => (
        <MorePage
          key={after}
          kind={kind}
          projectId={projectId}
          after={after}
          last={index === cursors.length - 1}
          onMore={more}
        />
      ))}
    </section>
  );
}

interface SectionProps<P> {
  projectId: string;
  firstPage: P;
}

type Shot = ShotPageFieldsFragment['nodes'][number];
type Asset = AssetPageFieldsFragment['nodes'][number];

/** The project's shots. */
export function ShotsSection({ projectId, firstPage }: SectionProps<ShotPageFieldsFragment>) {
  const { t } = useTranslation();
  const kind: PagedKind<Shot> = {
    usePage: useShotsPage,
    renderNode: (shot) => <ShotCard key={shot.id} shot={shot} />,
    moreLabel: t('projects.moreShots'),
  };
  return (
    <PagedSection
      id="shots-title"
      title={t('projects.shots', { count: firstPage.totalCount })}
      empty={t('projects.noShots')}
      projectId={projectId}
      firstPage={firstPage}
      kind={kind}
    />
  );
}

/** The project's assets, paged like the shots. */
export function AssetsSection({ projectId, firstPage }: SectionProps<AssetPageFieldsFragment>) {
  const { t } = useTranslation();
  const kind: PagedKind<Asset> = {
    usePage: useAssetsPage,
    renderNode: (asset) => <AssetCard key={asset.id} asset={asset} />,
    moreLabel: t('projects.moreAssets'),
  };
  return (
    <PagedSection
      id="assets-title"
      title={t('projects.assets', { count: firstPage.totalCount })}
      empty={t('projects.noAssets')}
      projectId={projectId}
      firstPage={firstPage}
      kind={kind}
    />
  );
}
