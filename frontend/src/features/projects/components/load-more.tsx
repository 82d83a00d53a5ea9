import { useState } from 'react';

/** The cursors of the pages loaded after the first one, in order. */
export function useMorePages() {
  const [cursors, setCursors] = useState<string[]>([]);
  const more = (cursor: string) => {
    setCursors((current) => (current.includes(cursor) ? current : [...current, cursor]));
  };
  return { cursors, more };
}

interface LoadMoreProps {
  cursor: string | null;
  label: string;
  onMore: (cursor: string) => void;
}

/** "Load more" for a connection that has a next page. */
export function LoadMore({ cursor, label, onMore }: LoadMoreProps) {
  if (!cursor) return null;
  return (
    <button
      type="button"
      className="button load-more"
      onClick={() => {
        onMore(cursor);
      }}
    >
      {label}
    </button>
  );
}
