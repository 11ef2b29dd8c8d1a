import { useEffect, useRef } from 'react';

export function useInterval(callback: () => void, delayMs: number | null): void {
  const ref = useRef(callback);
  ref.current = callback;
  useEffect(() => {
    if (delayMs === null || delayMs <= 0) return;
    const id = setInterval(() => ref.current(), delayMs);
    return () => clearInterval(id);
  }, [delayMs]);
}
