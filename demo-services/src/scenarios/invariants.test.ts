import { describe, expect, it } from 'vitest';
import { checkInvariants, type ShopSnapshot } from './invariants.js';
import { brokeInvariants } from './report.js';

function snapshot(partial: Partial<ShopSnapshot>): ShopSnapshot {
  return { orders: [], payments: [], reservations: [], shipments: [], notifications: [], reconciliations: [], ...partial };
}

const confirmedOk = snapshot({
  orders: [{ id: 'a', status: 'confirmed' }],
  payments: [{ order_id: 'a', status: 'captured' }],
  reservations: [{ order_id: 'a', status: 'reserved' }],
  shipments: [{ order_id: 'a', status: 'created' }],
  notifications: [{ order_id: 'a', kind: 'OrderConfirmed' }],
});

describe('checkInvariants', () => {
  it.each([
    ['a fully confirmed order', confirmedOk, { confirmed: 1, inconsistent: 0 }],
    [
      'a cancelled order whose effects were all undone (refund, release, tombstones)',
      snapshot({
        orders: [{ id: 'b', status: 'cancelled' }],
        payments: [{ order_id: 'b', status: 'refunded' }],
        reservations: [{ order_id: 'b', status: 'released' }],
        shipments: [{ order_id: 'b', status: 'voided' }],
        notifications: [{ order_id: 'b', kind: 'OrderCancelled' }],
      }),
      { cancelled: 1, inconsistent: 0, doubleCharges: 0 },
    ],
    [
      'the incident: charged, no stock, order cancelled',
      snapshot({
        orders: [{ id: 'c', status: 'cancelled' }],
        payments: [{ order_id: 'c', status: 'captured' }],
        notifications: [{ order_id: 'c', kind: 'OrderCancelled' }],
      }),
      { chargedWithoutReservation: 1, inconsistent: 1 },
    ],
    [
      'two captures for one order',
      snapshot({
        orders: [{ id: 'd', status: 'confirmed' }],
        payments: [
          { order_id: 'd', status: 'captured' },
          { order_id: 'd', status: 'captured' },
        ],
        reservations: [{ order_id: 'd', status: 'reserved' }],
        shipments: [{ order_id: 'd', status: 'created' }],
        notifications: [{ order_id: 'd', kind: 'OrderConfirmed' }],
      }),
      { doubleCharges: 1, inconsistent: 1 },
    ],
    [
      'stock held for an order nobody paid for',
      snapshot({ orders: [{ id: 'e', status: 'cancelled' }], reservations: [{ order_id: 'e', status: 'reserved' }], notifications: [{ order_id: 'e', kind: 'OrderCancelled' }] }),
      { reservedWithoutPayment: 1, inconsistent: 1 },
    ],
    [
      'a charge for an order the orders service never recorded',
      snapshot({ payments: [{ order_id: 'ghost', status: 'captured' }] }),
      { orders: 0, chargedWithoutReservation: 1, inconsistent: 1 },
    ],
    [
      'a confirmed order whose customer was never told',
      snapshot({ ...confirmedOk, notifications: [] }),
      { notificationsMissing: 1, inconsistent: 1 },
    ],
    [
      'an unfinished order with nothing done anywhere',
      snapshot({ orders: [{ id: 'f', status: 'pending' }] }),
      { pending: 1, inconsistent: 0 },
    ],
    [
      'an unfinished order holding a charge',
      snapshot({ orders: [{ id: 'g', status: 'cancelling' }], payments: [{ order_id: 'g', status: 'captured' }] }),
      { pending: 1, inconsistent: 1 },
    ],
  ])('%s', (_name, input, expected) => {
    expect(checkInvariants(input)).toMatchObject(expected);
  });

  it('counts reconciler repairs but not flags', () => {
    const inv = checkInvariants(snapshot({ reconciliations: [{ action: 'refund' }, { action: 'release' }, { action: 'flagged' }] }));
    expect(inv.reconciled).toBe(2);
  });

  it('does not mutate its input', () => {
    const input = structuredClone(confirmedOk);
    checkInvariants(input);
    expect(input).toEqual(confirmedOk);
  });
});

describe('brokeInvariants (what makes a resilient run exit non-zero)', () => {
  it('is false for a clean run and true for any broken invariant', () => {
    const clean = checkInvariants(confirmedOk);
    expect(brokeInvariants(clean)).toBe(false);
    for (const key of ['inconsistent', 'doubleCharges', 'chargedWithoutReservation', 'reservedWithoutPayment', 'pending'] as const) {
      expect(brokeInvariants({ ...clean, [key]: 1 }), key).toBe(true);
    }
  });
});
