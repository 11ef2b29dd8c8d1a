import { describe, expect, it } from 'vitest';
import { serviceAvailable } from '../testing/services.js';
import { runExample } from './orderFlow.js';

const natsAvailable = await serviceAvailable('NATS');

describe('README example: orders → OrderCreated → notifications', () => {
  it('over HTTP every order produces exactly one email and the outbox drains', async () => {
    const result = await runExample({ orders: 4 });
    expect(result.emails.map((e: any) => e.order_id)).toEqual([...result.ids].sort());
    expect(result.lag).toEqual({ pending: 0, oldestAgeMs: 0 });
  });

  it.skipIf(!natsAvailable)('over NATS JetStream the same', async () => {
    const result = await runExample({ nats: true, orders: 4 });
    expect(result.emails.map((e: any) => e.order_id)).toEqual([...result.ids].sort());
    expect(result.lag.pending).toBe(0);
  });
});
