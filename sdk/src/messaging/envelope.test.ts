import { describe, expect, it } from 'vitest';
import { createEnvelope, ENVELOPE_LIMITS, parseEnvelope, validateEnvelope } from './envelope.js';
import { isEnvelopeValidationError } from './errors.js';

const valid = {
  id: '6f1c2a1e-9a43-4c55-8f0e-2d1b6a3c9e10',
  type: 'OrderCreated',
  source: 'orders',
  time: '2026-11-23T10:00:00.000Z',
  correlationId: 'req-1',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  key: 'order-1',
  sequence: 1,
  payload: { orderId: 'order-1', totalCents: 1200 },
};

describe('event envelope', () => {
  it('accepts a complete envelope', () => {
    expect(validateEnvelope(valid)).toEqual({ ok: true, envelope: valid });
  });

  describe.each([
    ['a missing id', { ...valid, id: undefined }, 'id: must be a string'],
    ['an id with spaces', { ...valid, id: 'a b' }, 'id: has characters'],
    ['a type starting with a digit', { ...valid, type: '1Order' }, 'type: has characters'],
    ['an empty source', { ...valid, source: '' }, 'source: must be 1-128 chars'],
    ['a non-ISO time', { ...valid, time: 'yesterday' }, 'time: must be an ISO 8601'],
    ['a CRLF correlation id', { ...valid, correlationId: 'a\r\nb' }, 'correlationId:'],
    ['a bad traceparent', { ...valid, traceparent: '00-xyz' }, 'traceparent:'],
    ['a zero sequence', { ...valid, sequence: 0 }, 'sequence: must be a positive integer'],
    ['a sequence without key', { ...valid, key: undefined }, 'sequence: needs a key'],
    ['no payload', { ...valid, payload: undefined }, 'payload: is required'],
    ['an unknown field', { ...valid, extra: 1 }, 'extra: unknown field'],
  ])('rejects %s', (_name, input, problem) => {
    it('with a reason naming the field', () => {
      const result = validateEnvelope(JSON.parse(JSON.stringify(input)));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems.join('; ')).toContain(problem);
    });
  });

  it('rejects non-objects, arrays and null', () => {
    for (const v of [null, 42, 'x', [valid]]) expect(validateEnvelope(v).ok).toBe(false);
  });

  it('parses bytes and throws a typed error for broken JSON, bad UTF-8 and oversize input', () => {
    expect(parseEnvelope(new TextEncoder().encode(JSON.stringify(valid)))).toEqual(valid);
    for (const bad of ['{"id":', new Uint8Array([0xff, 0xfe, 0x7b]), 'x'.repeat(ENVELOPE_LIMITS.envelopeBytes + 1)]) {
      try {
        parseEnvelope(bad);
        expect.unreachable();
      } catch (e) {
        expect(isEnvelopeValidationError(e)).toBe(true);
      }
    }
  });

  it('never quotes the offending value in the reason', () => {
    const hostile = 'x'.repeat(5000) + '\r\nInjected: yes';
    const result = validateEnvelope({ ...valid, type: hostile, correlationId: hostile });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('').includes('Injected')).toBe(false);
  });

  it('creates envelopes with a fresh uuid and current time', () => {
    const a = createEnvelope('orders', { type: 'OrderCreated', payload: { n: 1 } });
    const b = createEnvelope('orders', { type: 'OrderCreated', payload: undefined });
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.id).not.toBe(b.id);
    expect(b.payload).toBeNull();
    expect(Math.abs(Date.parse(a.time) - Date.now())).toBeLessThan(5000);
    expect(() => createEnvelope('orders', { type: 'bad type', payload: 1 })).toThrow(/type: has characters/);
  });
});
