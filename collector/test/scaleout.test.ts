// Two collectors sharing one PostgreSQL: each sees all the data, and a call whose halves
// went to different collectors still pairs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, DATABASE_URL, dropSchema, postgresReachable, span, uniqueSchema } from './helpers.js';
import { otlpJson, postJson, testCollector } from './collector.js';

const pgUp = await postgresReachable();
if (!pgUp) console.log('skipping scale-out test: PostgreSQL unreachable at DATABASE_URL');

describe.skipIf(!pgUp)('several collectors on one PostgreSQL', () => {
  const schema = uniqueSchema();
  let a: Awaited<ReturnType<typeof testCollector>>;
  let b: Awaited<ReturnType<typeof testCollector>>;
  beforeAll(async () => {
    // Started together: migrations run once under the advisory lock.
    [a, b] = await Promise.all([
      testCollector({ databaseUrl: DATABASE_URL, databaseSchema: schema, pendingEdgeMs: 300 }),
      testCollector({ databaseUrl: DATABASE_URL, databaseSchema: schema, pendingEdgeMs: 300 }),
    ]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await dropSchema(schema);
  });

  it('pairs halves sent to different collectors, and both answer with all the data', async () => {
    const root = span({ service: 'gateway' });
    const [client, server] = call('gateway', 'orders', { traceId: root.traceId, parentSpanId: root.spanId });
    expect((await postJson(a.url, otlpJson([root, client]))).status).toBe(200);
    expect((await postJson(b.url, otlpJson([server]))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    for (const c of [a, b]) {
      const graph = await (await fetch(`${c.url}/api/graph`)).json();
      expect(graph.edges).toEqual([expect.objectContaining({ source: 'gateway', target: 'orders', requests: 1 })]);
      const trace = await (await fetch(`${c.url}/api/traces/${root.traceId}`)).json();
      expect(trace.spans).toHaveLength(3);
    }
    expect(await (await fetch(`${b.url}/readyz`)).json()).toMatchObject({ storage: 'postgres' });
  });
});
