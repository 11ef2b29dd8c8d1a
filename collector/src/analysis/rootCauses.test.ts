import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../model.js';
import { deepFreeze } from './fixtures/span.js';
import { chain, generateTraces, type CallSpec, type Fault, type ServiceSpec } from './fixtures/traceGenerator.js';
import { rankRootCauses, type RootCause } from './rootCauses.js';

const BASELINE_START_MS = 1_700_000_000_000;
const INCIDENT_START_MS = BASELINE_START_MS + 600_000;

interface Names {
  entry: string;
  middle: string;
  leaf: string;
  side: string;
  sideLeaf: string;
}

interface Scenario {
  root: ServiceSpec;
  faults: Record<string, Fault>;
  /** Causes that must rank above every other, in any order among themselves. */
  causes: { service: string; operation?: string; path: string[]; virtual?: boolean; reason?: RegExp }[];
  /** Every cause that is not expected must score at most this. */
  othersBelow?: number;
}

const scenarios: [string, (n: Names) => Scenario][] = [
  [
    'a leaf service erroring',
    (n) => ({
      root: chain([n.entry, n.middle, n.leaf]),
      faults: { [n.leaf]: { errorRate: 0.4 } },
      causes: [{ service: n.leaf, operation: `GET /${n.leaf}`, path: [n.leaf, n.middle, n.entry], reason: /\d+ of \d+ failing requests/ }],
      othersBelow: 0.05,
    }),
  ],
  [
    'a leaf service down (no spans at all, only its callers’ connection errors)',
    (n) => ({
      root: chain([n.entry, n.middle, n.leaf]),
      faults: { [n.leaf]: { down: true } },
      causes: [{ service: n.leaf, path: [n.leaf, n.middle, n.entry], virtual: true, reason: /ECONNREFUSED.*reported no spans/ }],
      othersBelow: 0.05,
    }),
  ],
  [
    'a slow leaf causing upstream timeouts',
    (n) => ({
      root: chain([n.entry, n.middle, n.leaf], { timeoutMs: 300 }),
      faults: { [n.leaf]: { extraLatencyMs: 1500 } },
      causes: [{ service: n.leaf, operation: `GET /${n.leaf}`, path: [n.leaf, n.middle, n.entry], reason: /gave up waiting on .*timed out after 300 ms.* \d+ ms/ }],
      othersBelow: 0.05,
    }),
  ],
  [
    'a slow leaf behind a middle without timeouts, timed out by the entry',
    (n) => {
      const leaf: ServiceSpec = { service: n.leaf, selfMs: 5 };
      const middle: ServiceSpec = { service: n.middle, selfMs: 5, calls: [{ to: leaf }] };
      return {
        root: { service: n.entry, selfMs: 5, calls: [{ to: middle, timeoutMs: 250 }] },
        faults: { [n.leaf]: { extraLatencyMs: 1000 } },
        causes: [{ service: n.leaf, path: [n.leaf, n.middle, n.entry] }],
        othersBelow: 0.05,
      };
    },
  ],
  [
    'a slow leaf with no errors at all',
    (n) => ({
      root: chain([n.entry, n.middle, n.leaf]),
      faults: { [n.leaf]: { extraLatencyMs: 1200 } },
      causes: [{ service: n.leaf, path: [n.leaf, n.middle, n.entry], reason: /added a median \d+ ms to \d+ of \d+ slow requests/ }],
      othersBelow: 0.05,
    }),
  ],
  [
    'a middle service failing on its own while its dependencies are healthy',
    (n) => ({
      root: chain([n.entry, n.middle, n.leaf]),
      faults: { [n.middle]: { errorRate: 0.5 } },
      causes: [{ service: n.middle, operation: `GET /${n.middle}`, path: [n.middle, n.entry] }],
      othersBelow: 0.05,
    }),
  ],
  [
    'two independent faults at once (a leaf erroring, another branch’s leaf down)',
    (n) => ({
      root: { service: n.entry, selfMs: 5, calls: [{ to: chain([n.middle, n.leaf]) }, { to: chain([n.side, n.sideLeaf]) }] },
      faults: { [n.leaf]: { errorRate: 0.4 }, [n.sideLeaf]: { down: true } },
      causes: [
        { service: n.leaf, path: [n.leaf, n.middle, n.entry] },
        { service: n.sideLeaf, path: [n.sideLeaf, n.side, n.entry], virtual: true },
      ],
      othersBelow: 0.05,
    }),
  ],
  [
    'two independent faults at once (a middle failing, another branch’s leaf slow)',
    (n) => ({
      root: {
        service: n.entry,
        selfMs: 5,
        calls: [{ to: chain([n.middle, n.leaf]) }, { to: chain([n.side, n.sideLeaf], { timeoutMs: 200 }) }],
      },
      faults: { [n.middle]: { errorRate: 0.3 }, [n.sideLeaf]: { extraLatencyMs: 800 } },
      causes: [
        { service: n.middle, path: [n.middle, n.entry] },
        { service: n.sideLeaf, path: [n.sideLeaf, n.side, n.entry] },
      ],
      othersBelow: 0.05,
    }),
  ],
  ...(['events', 'attempts', 'separate'] as const).map((style): [string, (n: Names) => Scenario] => [
    `retry amplification (every caller retries 3 times, recorded as ${style})`,
    (n) => ({
      root: chain([n.entry, n.middle, n.leaf], { retries: 3, retryStyle: style } satisfies Omit<CallSpec, 'to'>),
      faults: { [n.leaf]: { errorRate: 0.6 } },
      causes: [{ service: n.leaf, path: [n.leaf, n.middle, n.entry] }],
      othersBelow: 0.1,
    }),
  ]),
  [
    'retry amplification against a leaf that is down',
    (n) => ({
      root: chain([n.entry, n.middle, n.leaf], { retries: 4, retryStyle: 'attempts' }),
      faults: { [n.leaf]: { down: true } },
      causes: [{ service: n.leaf, path: [n.leaf, n.middle, n.entry], virtual: true }],
      othersBelow: 0.05,
    }),
  ],
];

const namings: [string, Names][] = [
  ['plain names', { entry: 'edge', middle: 'mid', leaf: 'leaf', side: 'side', sideLeaf: 'side-leaf' }],
  ['names never seen before', { entry: 'zq-7f3a', middle: 'checkout.v2', leaf: 'ledger_db', side: 'Side Car', sideLeaf: 'x' }],
  ['non-ASCII names', { entry: 'α-gateway', middle: 'β', leaf: 'γ/leaf', side: 'δ', sideLeaf: 'ε:9000' }],
];

function run(s: Scenario, options: { traces?: number; legacyAttributes?: boolean; baseline?: boolean; shuffle?: boolean } = {}) {
  const traces = options.traces ?? 150;
  const baselineSpans =
    options.baseline === false
      ? []
      : generateTraces({ root: s.root, traces, seed: 11, startMs: BASELINE_START_MS, legacyAttributes: options.legacyAttributes });
  const spans = generateTraces({
    root: s.root,
    traces,
    seed: 23,
    startMs: INCIDENT_START_MS,
    faults: s.faults,
    legacyAttributes: options.legacyAttributes,
    shuffle: options.shuffle,
  });
  return rankRootCauses({ spans, baselineSpans, entryServices: [s.root.service] });
}

function expectRanking(causes: RootCause[], s: Scenario): void {
  const expected = s.causes;
  expect(causes.length).toBeGreaterThanOrEqual(expected.length);
  const top = causes.slice(0, expected.length);
  for (const want of expected) {
    const got = top.find((c) => c.service === want.service);
    expect(got, `${want.service} in the top ${expected.length}: ${JSON.stringify(causes.slice(0, 4))}`).toBeDefined();
    expect(got!.path).toEqual(want.path);
    if (want.operation) expect(got!.operation).toBe(want.operation);
    if (want.virtual !== undefined) expect(got!.virtual).toBe(want.virtual);
    if (want.reason) expect(got!.reason).toMatch(want.reason);
    expect(got!.score).toBeGreaterThan(0.2);
  }
  for (const other of causes.slice(expected.length)) {
    expect(other.score, `${other.service} ${other.operation}: ${other.reason}`).toBeLessThanOrEqual(s.othersBelow ?? 1);
  }
  for (let i = 1; i < causes.length; i++) expect(causes[i - 1]!.score).toBeGreaterThanOrEqual(causes[i]!.score);
  for (const c of causes) {
    expect(c.score).toBeGreaterThan(0);
    expect(c.score).toBeLessThanOrEqual(1);
    expect(c.reason).toMatch(/^[A-Z].*\d.*\.$/);
    expect(c.path[c.path.length - 1]).toBe(s.root.service);
  }
}

describe.each(namings)('rankRootCauses with %s', (_label, names) => {
  describe.each(scenarios)('%s', (_scenario, make) => {
    it('ranks the right cause first, with the path it travelled', () => {
      expectRanking(run(make(names)), make(names));
    });
  });
});

describe('rankRootCauses on data from other SDKs and partial data', () => {
  const names = namings[0]![1];

  it.each(scenarios)('%s: the same answer from spans with old semantic-convention names', (_label, make) => {
    expectRanking(run(make(names), { legacyAttributes: true }), make(names));
  });

  it.each(scenarios)('%s: the same answer without any baseline', (_label, make) => {
    expectRanking(run(make(names), { baseline: false }), make(names));
  });

  it('gives the same ranking whatever order the spans arrive in', () => {
    const s = scenarios[6]![1](names);
    expect(run(s, { shuffle: true })).toEqual(run(s));
  });

  it('names a down callee without peer.service after the service seen at its address in the baseline', () => {
    const s: Scenario = {
      root: chain([names.entry, names.middle, names.leaf], { peerService: false }),
      faults: { [names.leaf]: { down: true } },
      causes: [{ service: names.leaf, path: [names.leaf, names.middle, names.entry], virtual: true }],
    };
    expectRanking(run(s), s);
  });

  it('without a baseline, names a down callee without peer.service by its address', () => {
    const s: Scenario = {
      root: chain([names.entry, names.middle, names.leaf], { peerService: false }),
      faults: { [names.leaf]: { down: true } },
      causes: [{ service: `${names.leaf}.internal`, path: [`${names.leaf}.internal`, names.middle, names.entry], virtual: true }],
    };
    expectRanking(run(s, { baseline: false }), s);
  });

  it('does not blame a service that is always slow when a new fault starts elsewhere', () => {
    const slowAlways: ServiceSpec = { service: 'report-builder', selfMs: 400 };
    const s: Scenario = {
      root: { service: names.entry, selfMs: 5, calls: [{ to: slowAlways }, { to: chain([names.middle, names.leaf]) }] },
      faults: { [names.leaf]: { extraLatencyMs: 1000 } },
      causes: [{ service: names.leaf, path: [names.leaf, names.middle, names.entry] }],
      othersBelow: 0.1,
    };
    expectRanking(run(s), s);
  });

  it('does not blame errors the baseline already had at the same rate', () => {
    const s = chain([names.entry, names.middle, names.leaf]);
    const chronic = { [names.middle]: { errorRate: 0.2 } };
    const baselineSpans = generateTraces({ root: s, traces: 300, seed: 5, faults: chronic });
    const spans = generateTraces({ root: s, traces: 300, seed: 6, startMs: INCIDENT_START_MS, faults: { ...chronic, [names.leaf]: { errorRate: 0.5 } } });
    const causes = rankRootCauses({ spans, baselineSpans, entryServices: [names.entry] });
    expect(causes[0]!.service).toBe(names.leaf);
    const middle = causes.find((c) => c.service === names.middle);
    expect(middle?.score ?? 0).toBeLessThan(causes[0]!.score / 2);
  });

  it('ignores failures that were absorbed by a fallback before reaching the entry point', () => {
    const root: ServiceSpec = {
      service: names.entry,
      selfMs: 5,
      calls: [{ to: chain([names.side, names.sideLeaf]), fallback: true }, { to: chain([names.middle, names.leaf]) }],
    };
    const spans = generateTraces({ root, traces: 200, seed: 3, faults: { [names.sideLeaf]: { errorRate: 0.9 }, [names.leaf]: { errorRate: 0.3 } } });
    const causes = rankRootCauses({ spans, baselineSpans: [], entryServices: [names.entry] });
    expect(causes[0]!.service).toBe(names.leaf);
    expect(causes.find((c) => c.service === names.sideLeaf)).toBeUndefined();
  });

  it('returns nothing for a healthy window', () => {
    const root = chain([names.entry, names.middle, names.leaf]);
    const spans = generateTraces({ root, traces: 100, seed: 9 });
    expect(rankRootCauses({ spans, baselineSpans: spans, entryServices: [names.entry] })).toEqual([]);
    expect(rankRootCauses({ spans: [], baselineSpans: [], entryServices: [] })).toEqual([]);
  });

  it('finds the entry point under an uninstrumented caller and when no entry service is given', () => {
    const s = scenarios[0]![1](names);
    const spans = generateTraces({ root: s.root, traces: 100, seed: 4, faults: s.faults });
    // The entry span's parent never arrived: it is not a root but still the topmost span of the entry service.
    const orphaned = spans.map((span) => (span.parentSpanId === '' ? { ...span, parentSpanId: 'f'.repeat(16) } : span));
    expect(rankRootCauses({ spans: orphaned, baselineSpans: [], entryServices: [names.entry] })[0]!.service).toBe(names.leaf);
    expect(rankRootCauses({ spans, baselineSpans: [], entryServices: [] })[0]!.service).toBe(names.leaf);
  });

  it('counts a span delivered twice only once', () => {
    const s = scenarios[0]![1](names);
    const spans = generateTraces({ root: s.root, traces: 100, seed: 4, faults: s.faults });
    const once = rankRootCauses({ spans, baselineSpans: [], entryServices: [names.entry] });
    const twice = rankRootCauses({ spans: [...spans, ...spans.map((x) => ({ ...x }))], baselineSpans: [], entryServices: [names.entry] });
    expect(twice).toEqual(once);
  });

  it('survives malformed traces: cycles, self-parents, negative durations', () => {
    const spans = generateTraces({ root: chain(['a', 'b']), traces: 5, seed: 1, faults: { b: { errorRate: 1 } } });
    const broken: SpanRecord[] = spans.map((s, i) =>
      i === 0 ? { ...s, parentSpanId: s.spanId } : i === 1 ? { ...s, durationMs: -5 } : i === 2 ? { ...s, startMs: Number.NaN } : s,
    );
    // a → b → a cycle between two spans of one trace
    const [x, y] = [broken[3]!, broken[4]!];
    broken[3] = { ...x, parentSpanId: y.spanId, traceId: y.traceId };
    broken[4] = { ...y, parentSpanId: x.spanId };
    expect(() => rankRootCauses({ spans: broken, baselineSpans: broken, entryServices: ['a'] })).not.toThrow();
  });

  it('samples a large baseline without changing the answer', () => {
    const s = scenarios[2]![1](names);
    const baselineSpans = generateTraces({ root: s.root, traces: 400, seed: 12, startMs: BASELINE_START_MS });
    const spans = generateTraces({ root: s.root, traces: 150, seed: 13, startMs: INCIDENT_START_MS, faults: s.faults });
    const full = rankRootCauses({ spans, baselineSpans, entryServices: [names.entry] });
    const sampled = rankRootCauses({ spans, baselineSpans, entryServices: [names.entry] }, { baselineTracesMax: 40 });
    expect(sampled[0]!.service).toBe(full[0]!.service);
    expect(sampled[0]!.score).toBeCloseTo(full[0]!.score, 1);
  });

  it('does not mutate its input', () => {
    const s = scenarios[6]![1](names);
    const spans = generateTraces({ root: s.root, traces: 50, seed: 8, faults: s.faults });
    const baselineSpans = generateTraces({ root: s.root, traces: 50, seed: 9 });
    const input = { spans, baselineSpans, entryServices: [names.entry] };
    const before = structuredClone(input);
    deepFreeze(input);
    rankRootCauses(input);
    expect(input).toEqual(before);
  });
});
