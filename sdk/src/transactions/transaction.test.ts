import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { registerTestTracing } from '../messaging/testing/tracing.js';
import { recordConsistencyViolation, transaction, TX_EVENT } from './transaction.js';

const tracing = registerTestTracing();
afterAll(() => tracing.shutdown());

const events = () => tracing.exporter.getFinishedSpans().flatMap((s) => s.events.map((e) => ({ span: s.name, name: e.name, attributes: e.attributes })));

describe('transaction telemetry', () => {
  beforeEach(() => tracing.exporter.reset());

  it('records a step as a span with the tx attributes and started/succeeded events', async () => {
    const tx = transaction({ id: 'order-1', type: 'order' });
    expect(await tx.step('reserve-stock', async () => 42)).toBe(42);
    const spans = tracing.exporter.getFinishedSpans();
    const span = spans.find((s) => s.name === 'tx order reserve-stock');
    expect(span).toBeDefined();
    // The start is on a short child span ended at once, so a hanging step is visible while it hangs.
    const started = spans.find((s) => s.name === 'tx order tx.step.started')!;
    expect(started.parentSpanContext?.spanId).toBe(span!.spanContext().spanId);
    expect(span!.attributes).toMatchObject({ 'faultline.tx.id': 'order-1', 'faultline.tx.type': 'order', 'faultline.tx.step': 'reserve-stock' });
    expect(events().map((e) => e.name)).toEqual([TX_EVENT.stepStarted, TX_EVENT.stepSucceeded]);
    expect(events()[1]!.attributes).toMatchObject({ 'faultline.tx.id': 'order-1', 'faultline.tx.step': 'reserve-stock' });
  });

  it('exports the start of a step before the step ends', async () => {
    const tx = transaction({ id: 'order-9', type: 'order' });
    let release!: () => void;
    const running = tx.step('capture-payment', () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 10));
    expect(events().map((e) => e.name)).toEqual([TX_EVENT.stepStarted]);
    release();
    await running;
    expect(events().map((e) => e.name)).toEqual([TX_EVENT.stepStarted, TX_EVENT.stepSucceeded]);
  });

  it('records a failed step from a thrown error or a rejected result, and rethrows', async () => {
    const tx = transaction({ id: 'order-2', type: 'order' });
    await expect(tx.step('capture-payment', async () => Promise.reject(new Error('declined')))).rejects.toThrow('declined');
    await tx.step('create-shipment', async () => ({ ok: false }), { failedIf: (r) => (!r.ok ? 'HTTP 503' : undefined) });
    expect(events().map((e) => `${e.name}:${e.attributes?.['faultline.reason'] ?? ''}`)).toEqual([
      'tx.step.started:',
      'tx.step.failed:Error: declined',
      'tx.step.started:',
      'tx.step.failed:HTTP 503',
    ]);
  });

  it('records compensations, final states and consistency violations even without an active span', async () => {
    const tx = transaction({ id: 'order-3', type: 'order' });
    await tx.compensation('reserve-stock', () => undefined);
    tx.compensated();
    recordConsistencyViolation({ id: 'order-3', type: 'order', kind: 'charged_without_reservation' });
    expect(events().map((e) => e.name)).toEqual([TX_EVENT.compensationStarted, TX_EVENT.compensationSucceeded, TX_EVENT.compensated, TX_EVENT.consistencyViolation]);
    expect(events()[3]!.attributes).toMatchObject({ 'faultline.tx.id': 'order-3', 'faultline.violation': 'charged_without_reservation' });
  });
});
