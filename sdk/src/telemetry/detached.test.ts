import { context, SpanKind, SpanStatusCode, trace, type SpanContext } from '@opentelemetry/api';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { getCorrelationId, getDeadline, runWithContext } from '../context/index.js';
import { registerTestTracing } from '../messaging/testing/tracing.js';
import { ATTR_BACKGROUND, ATTR_ORIGIN_TRACE_ID, getTraceparent, runDetached } from './detached.js';

const tracing = registerTestTracing();
afterAll(() => tracing.shutdown());
beforeEach(() => tracing.exporter.reset());

const tracer = trace.getTracer('test');

/** A finished request span and its traceparent, as a job row would have saved it. */
function request(): { span: SpanContext; traceparent: string } {
  const span = tracer.startSpan('POST /orders', { kind: SpanKind.SERVER });
  const traceparent = context.with(trace.setSpan(context.active(), span), () => getTraceparent())!;
  span.end();
  return { span: span.spanContext(), traceparent };
}

function finished(name: string) {
  const span = tracing.exporter.getFinishedSpans().find((s) => s.name === name);
  expect(span, `span ${name} was not exported`).toBeDefined();
  return span!;
}

describe('getTraceparent', () => {
  it('writes the active span as a W3C traceparent', () => {
    const { span, traceparent } = request();
    expect(traceparent).toBe(`00-${span.traceId}-${span.spanId}-01`);
  });

  it('is undefined outside any trace', () => {
    expect(getTraceparent()).toBeUndefined();
  });
});

describe('runDetached', () => {
  it('starts a new trace whose root span links to the origin and is marked as background work', async () => {
    const origin = request();
    const value = await runDetached('saga.step refund', { origin: origin.traceparent }, async () => {
      tracer.startSpan('inner').end();
      return 42;
    });
    expect(value).toBe(42);
    const root = finished('saga.step refund');
    expect(root.spanContext().traceId).not.toBe(origin.span.traceId);
    expect(root.parentSpanContext).toBeUndefined();
    expect(root.links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([[origin.span.traceId, origin.span.spanId]]);
    expect(root.attributes[ATTR_BACKGROUND]).toBe(true);
    expect(root.attributes[ATTR_ORIGIN_TRACE_ID]).toBe(origin.span.traceId);
    expect(root.kind).toBe(SpanKind.INTERNAL);
    // Spans started inside belong to the detached trace.
    const inner = finished('inner');
    expect(inner.spanContext().traceId).toBe(root.spanContext().traceId);
    expect(inner.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
  });

  it('accepts a span context as origin', () => {
    const origin = request();
    runDetached('job', { origin: origin.span }, () => undefined);
    expect(finished('job').links[0]!.context.spanId).toBe(origin.span.spanId);
  });

  it('continues the origin trace as a child in child mode, without the background marker', () => {
    const origin = request();
    runDetached('saga.step reserve', { origin: origin.traceparent, mode: 'child' }, () => undefined);
    const span = finished('saga.step reserve');
    expect(span.spanContext().traceId).toBe(origin.span.traceId);
    expect(span.parentSpanContext?.spanId).toBe(origin.span.spanId);
    expect(span.links).toEqual([]);
    expect(span.attributes[ATTR_BACKGROUND]).toBeUndefined();
  });

  it.each([
    ['no origin', undefined],
    ['null', null],
    ['a malformed traceparent', '00-nothex-0000000000000000-01'],
    ['the all-zero trace id', `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`],
  ])('with %s still runs as a background root span, without a link', (_label, origin) => {
    runDetached('poll', { origin, mode: 'child' }, () => undefined);
    const span = finished('poll');
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.links).toEqual([]);
    expect(span.attributes[ATTR_BACKGROUND]).toBe(true);
    expect(span.attributes[ATTR_ORIGIN_TRACE_ID]).toBeUndefined();
  });

  it('drops the caller deadline and active span but keeps its correlation id', () => {
    const caller = tracer.startSpan('caller');
    const seen = context.with(trace.setSpan(context.active(), caller), () =>
      runWithContext({ correlationId: 'corr-7', deadlineMs: Date.now() + 10 }, () =>
        runDetached('undo', {}, () => ({ deadline: getDeadline(), correlationId: getCorrelationId() }))));
    caller.end();
    expect(seen).toEqual({ deadline: undefined, correlationId: 'corr-7' });
    const span = finished('undo');
    expect(span.spanContext().traceId).not.toBe(caller.spanContext().traceId);
    expect(span.attributes['faultline.correlation_id']).toBe('corr-7');
  });

  it('uses a given correlation id, and mints one when there is none', () => {
    expect(runDetached('a', { correlationId: 'job-1' }, () => getCorrelationId())).toBe('job-1');
    expect(runDetached('b', {}, () => getCorrelationId())).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('marks the span failed and passes the error on, for throws and rejections', async () => {
    expect(() => runDetached('sync', {}, () => {
      throw new Error('boom');
    })).toThrow('boom');
    await expect(runDetached('async', {}, async () => {
      throw new Error('later');
    })).rejects.toThrow('later');
    for (const [name, message] of [['sync', 'boom'], ['async', 'later']] as const) {
      const span = finished(name);
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message });
      expect(span.events.map((e) => e.name)).toEqual(['exception']);
    }
  });

  it('ends the span only when the work has finished', async () => {
    let release!: () => void;
    const done = runDetached('slow', {}, () => new Promise<void>((r) => (release = r)));
    await Promise.resolve();
    expect(tracing.exporter.getFinishedSpans().some((s) => s.name === 'slow')).toBe(false);
    release();
    await done;
    finished('slow');
  });
});
