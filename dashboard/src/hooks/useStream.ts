import { useEffect, useRef, useState } from 'react';
import { STREAM_URL } from '../api/collector.js';
import { storedToken } from '../api/http.js';

export type StreamStatus = 'connecting' | 'live' | 'offline' | 'paused';

/** Minimum gap between two refreshes caused by stream events. */
export const STREAM_REFRESH_MIN_GAP_MS = 1500;

/**
 * Subscribes to /api/stream (graph and incident events) while `enabled`, and
 * calls `onData` at most every STREAM_REFRESH_MIN_GAP_MS. EventSource reconnects
 * on its own after a drop; the status says when it is not connected.
 */
export function useStream(enabled: boolean, onData: () => void): { status: StreamStatus; lastEventMs: number | null } {
  const [status, setStatus] = useState<StreamStatus>(enabled ? 'connecting' : 'paused');
  const [lastEventMs, setLastEventMs] = useState<number | null>(null);
  const onDataRef = useRef(onData);
  onDataRef.current = onData;

  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') {
      setStatus('paused');
      return;
    }
    setStatus('connecting');
    // EventSource cannot send headers; the collector accepts the token as a query parameter here.
    const token = storedToken();
    const source = new EventSource(token ? `${STREAM_URL}?access_token=${encodeURIComponent(token)}` : STREAM_URL);
    let lastFire = 0;
    let pending: ReturnType<typeof setTimeout> | null = null;
    const fire = () => {
      pending = null;
      lastFire = Date.now();
      setLastEventMs(lastFire);
      onDataRef.current();
    };
    const onEvent = () => {
      if (pending) return;
      const wait = Math.max(0, lastFire + STREAM_REFRESH_MIN_GAP_MS - Date.now());
      pending = setTimeout(fire, wait);
    };
    source.onopen = () => setStatus('live');
    source.onerror = () => setStatus(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    source.onmessage = onEvent;
    source.addEventListener('graph', onEvent);
    source.addEventListener('incident', onEvent);
    return () => {
      if (pending) clearTimeout(pending);
      source.close();
    };
  }, [enabled]);

  return { status: enabled ? status : 'paused', lastEventMs };
}
