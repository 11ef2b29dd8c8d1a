import { useCallback, useEffect, useState } from 'react';
import { buildHash, parseHash, withParams, type Location, type Route } from '../model/route.js';

export interface LocationApi extends Location {
  navigate: (hash: string) => void;
  /** Changes params of the current page; `replace` keeps history clean for continuous edits. */
  setParams: (changes: Record<string, string | null | undefined>, options?: { replace?: boolean }) => void;
  goTo: (route: Route, params?: URLSearchParams) => void;
}

export function useLocation(): LocationApi {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const loc = parseHash(hash);
  const navigate = useCallback((next: string) => {
    if (next !== window.location.hash) window.location.hash = next;
  }, []);
  const setParams = useCallback((changes: Record<string, string | null | undefined>, options?: { replace?: boolean }) => {
    const current = parseHash(window.location.hash);
    const next = buildHash(current.route, withParams(current.params, changes));
    if (next === window.location.hash) return;
    if (options?.replace) {
      window.history.replaceState(null, '', next);
      setHash(next);
    } else window.location.hash = next;
  }, []);
  const goTo = useCallback((route: Route, params?: URLSearchParams) => navigate(buildHash(route, params ?? new URLSearchParams())), [navigate]);
  return { ...loc, navigate, setParams, goTo };
}
