import { useEffect, useRef, useState } from 'react';
import { STREAM_URL } from '../api/collector.js';
import { storedToken } from '../api/http.js';

export type StreamStatus = 'connecting' | 'live' | 'offline' | 'paused';

/** Minimum gap between two refreshes caused by stream events. */
export const STREAM_REFRESH_MIN_GAP_MS = 1500;

/** Event types the collector's stream sends; each payload says what changed. */
export const STREAM_EVENT_TYPES = ['graph', 'graph.delta', 'services', 'annotation', 'breaker', 'incident'] as const;
export type StreamEventType = (typeof STREAM_EVENT_TYPES)[number] | 'message';

export interface StreamEvent {
  type: StreamEventType;
  data: string;
}

/** Events held between two deliveries; past this the oldest go (a full `graph` event follows them anyway). */
const QUEUED_EVENTS_MAX = 500;

/**
 * Subscribes to /api/stream while `enabled`. `onData` gets the events received since its last
 * call, in order, at most every STREAM_REFRESH_MIN_GAP_MS.
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
    let queued: StreamEvent[] = [];
    const fire = () => {
      pending = null;
      lastFire = Date.now();
      setLastEventMs(lastFire);
      const events = queued;
      queued = [];
      onDataRef.current(events);
    };
    const onEvent = (e: MessageEvent) => {
      const type = (STREAM_EVENT_TYPES as readonly string[]).includes(e.type) ? (e.type as StreamEventType) : 'message';
      queued.push({ type, data: typeof e.data === 'string' ? e.data : '' });
      if (queued.length > QUEUED_EVENTS_MAX) queued.shift();
      if (pending) return;
      const wait = Math.max(0, lastFire + STREAM_REFRESH_MIN_GAP_MS - Date.now());
      pending = setTimeout(fire, wait);
    };
    source.onopen = () => setStatus('live');
    source.onerror = () => setStatus(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    source.onmessage = onEvent;
    for (const type of STREAM_EVENT_TYPES) source.addEventListener(type, onEvent);
    return () => {
      if (pending) clearTimeout(pending);
      source.close();
    };
  }, [enabled]);

  // EventSource reconnects on its own after a drop; the status says when it is not connected.
  return { status: enabled ? status : 'paused', lastEventMs };
}
