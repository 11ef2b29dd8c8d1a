// The two receivers: Prometheus Alertmanager's v2 API and a plain JSON webhook.
import type { Alert } from './AlertState.js';
import type { AlertReceiver, SendOutcome } from './Notifier.js';

export const RECEIVER_TIMEOUT_MS = 5_000;

async function post(url: string, body: unknown): Promise<SendOutcome> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(RECEIVER_TIMEOUT_MS),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return { kind: 'retry', reason: `${url}: ${cause ?? (e as Error).message}` };
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return { kind: 'ok' };
  const reason = `${url} answered ${res.status} ${text.slice(0, 200)}`.trim();
  // A 4xx other than 408/429 will not get better by sending the same body again.
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) return { kind: 'drop', reason };
  return { kind: 'retry', reason };
}

/**
 * Alertmanager forgets a firing alert whose endsAt passes without a refresh, so firing alerts
 * carry endsAt = now + 4 resend intervals (as Prometheus does) and are re-sent every interval;
 * if the collector goes away they resolve by themselves.
 */
export class AlertmanagerReceiver implements AlertReceiver {
  readonly name: string;

  constructor(
    private readonly baseUrl: string,
    private readonly resendMs: number,
  ) {
    this.name = `Alertmanager ${baseUrl}`;
  }

  send(alerts: readonly Alert[], nowMs: number): Promise<SendOutcome> {
    const body = alerts.map((a) => ({
      labels: a.labels,
      annotations: a.annotations,
      startsAt: new Date(a.startsAt).toISOString(),
      endsAt: new Date(a.state === 'resolved' ? (a.endsAt ?? nowMs) : nowMs + 4 * this.resendMs).toISOString(),
      generatorURL: a.annotations.dashboard_url ?? '',
    }));
    return post(`${this.baseUrl}/api/v2/alerts`, body);
  }
}

/** `{ status, alerts }` with the alerts as GET /api/alerts lists them; one request per status. */
export class WebhookReceiver implements AlertReceiver {
  readonly name: string;

  constructor(private readonly url: string) {
    this.name = `webhook ${url}`;
  }

  async send(alerts: readonly Alert[]): Promise<SendOutcome> {
    for (const status of ['firing', 'resolved'] as const) {
      const some = alerts.filter((a) => a.state === status);
      if (some.length === 0) continue;
      const outcome = await post(this.url, { status, alerts: some });
      if (outcome.kind !== 'ok') return outcome;
    }
    return { kind: 'ok' };
  }
}
