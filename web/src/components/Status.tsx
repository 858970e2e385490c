import { useEffect, useRef } from 'react';
import type { CombinedError } from 'urql';

/** Loading says that a page's data is on its way. */
export function Loading() {
  return (
    <p role="status" className="status">
      Loading…
    </p>
  );
}

/** LoadError tells the shopper in plain words that a page could not load. */
export function LoadError({ error }: { error: CombinedError }) {
  const offline = error.networkError !== undefined || (typeof navigator !== 'undefined' && !navigator.onLine);
  return (
    <div role="alert" className="error">
      {offline
        ? 'We could not reach the shop. Check your connection and try again.'
        : 'Something went wrong while loading this page. Please try again in a moment.'}
    </div>
  );
}

/** useTitle sets the window's title for the page shown. */
export function useTitle(title: string | undefined) {
  useEffect(() => {
    document.title = title ? `${title} · shopgraph` : 'shopgraph';
  }, [title]);
}

/**
 * useLastData keeps showing a page's previous answer while the next one loads
 * (another filter, page or shipping country), instead of blanking the page.
 */
export function useLastData<T>(data: T | undefined): T | undefined {
  const last = useRef(data);
  if (data !== undefined) last.current = data;
  return data ?? last.current;
}
