import { useEffect, useRef, useState } from 'react';
import { STREAM_URL } from '../api/collector.js';
import { storedToken } from '../api/http.js';

export type StreamStatus = 'connecting' | 'live' | 'offline' | 'paused';

/** Minimum gap between two refreshes caused by stream events. */
export const STREAM_REFRESH_MIN_GAP_MS = 1500;

export interface StreamEvent {
  type: 'graph' | 'incident' | 'message';
  data: string;
}

/**
 * Subscribes to /api/stream while `enabled`. `onData` gets the latest event of each type
 * (their payloads say what changed), at most every STREAM_REFRESH_MIN_GAP_MS.
 */
export function useStream(enabled: boolean, onData: (events: StreamEvent[]) => void): { status: StreamStatus; lastEventMs: number | null } {
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
    let latest = new Map<StreamEvent['type'], string>();
    const fire = () => {
      pending = null;
      lastFire = Date.now();
      setLastEventMs(lastFire);
      const events = [...latest].map(([type, data]) => ({ type, data }));
      latest = new Map();
      onDataRef.current(events);
    };
    const onEvent = (e: MessageEvent) => {
      const type = e.type === 'graph' || e.type === 'incident' ? e.type : 'message';
      latest.set(type, typeof e.data === 'string' ? e.data : '');
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

  // EventSource reconnects on its own after a drop; the status says when it is not connected.
  return { status: enabled ? status : 'paused', lastEventMs };
}
