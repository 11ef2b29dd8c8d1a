import { describe, expect, it } from 'vitest';
import { violationKind } from './reconciler.js';

describe('violationKind', () => {
  it.each([
    ['cancelled', { captured: 1, reserved: 0, shipped: 0 }, 'charged_without_reservation'],
    ['cancelled', { captured: 0, reserved: 1, shipped: 0 }, 'reserved_without_payment'],
    ['cancelled', { captured: 1, reserved: 1, shipped: 0 }, 'cancelled_but_held'],
    ['cancelled', { captured: 0, reserved: 0, shipped: 0 }, null],
    ['confirmed', { captured: 1, reserved: 1, shipped: 1 }, null],
    ['confirmed', { captured: 2, reserved: 1, shipped: 1 }, 'double_charge'],
    ['confirmed', { captured: 1, reserved: 0, shipped: 1 }, 'charged_without_reservation'],
    ['confirmed', { captured: 1, reserved: 1, shipped: 0 }, 'confirmed_incomplete'],
  ])('a %s order holding %o is %s', (status, truth, kind) => {
    expect(violationKind(status, truth)).toBe(kind);
  });
});
