// Response validation: the UI renders only data that has the contract's shape,
// and a malformed answer becomes one clear ApiError instead of a crash mid-render.
import type {
  ActiveFault, ActiveScenario, Attributes, DashboardConfig, Graph, GraphEdge, GraphNode, Incident, RootCause,
  RootCausesResponse, Scenario, ServiceSummary, Span, SpanEvent, SpanStatus, Trace, TraceSummary,
} from './types.js';

export class ValidationError extends Error {
  constructor(public readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'ValidationError';
  }
}

export type Obj = Record<string, unknown>;

/** Shape checks shared by every response validator. */
export function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ValidationError(path, 'expected an object');
  return v as Obj;
}
export function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new ValidationError(path, 'expected an array');
  return v;
}
export function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new ValidationError(path, 'expected a string');
  return v;
}
/** Numbers may be missing on older collectors' extra stats; a non-number is an error. */
export function num(v: unknown, path: string, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new ValidationError(path, 'expected a number');
  return v;
}

function rates(o: Obj, path: string) {
  const requests = num(o.requests, `${path}.requests`);
  const errors = num(o.errors, `${path}.errors`);
  return {
    requests,
    errors,
    errorRate: num(o.errorRate, `${path}.errorRate`, requests > 0 ? errors / requests : 0),
    p50Ms: num(o.p50Ms, `${path}.p50Ms`, 0),
    p95Ms: num(o.p95Ms, `${path}.p95Ms`, 0),
    p99Ms: num(o.p99Ms, `${path}.p99Ms`, 0),
  };
}

export function parseServices(v: unknown): ServiceSummary[] {
  return arr(v, 'services').map((x, i) => {
    const o = obj(x, `services[${i}]`);
    return { name: str(o.name, `services[${i}].name`), ...rates(o, `services[${i}]`) };
  });
}

export function parseGraph(v: unknown): Graph {
  const o = obj(v, 'graph');
  const nodes: GraphNode[] = arr(o.nodes, 'graph.nodes').map((x, i) => {
    const n = obj(x, `graph.nodes[${i}]`);
    const kind = n.kind === 'virtual' ? 'virtual' : 'service';
    return { id: str(n.id, `graph.nodes[${i}].id`), kind, ...rates(n, `graph.nodes[${i}]`) };
  });
  const edges: GraphEdge[] = arr(o.edges, 'graph.edges').map((x, i) => {
    const e = obj(x, `graph.edges[${i}]`);
    const p = `graph.edges[${i}]`;
    return {
      source: str(e.source, `${p}.source`),
      target: str(e.target, `${p}.target`),
      ...rates(e, p),
      retries: num(e.retries, `${p}.retries`, 0),
      timeouts: num(e.timeouts, `${p}.timeouts`, 0),
      shortCircuits: num(e.shortCircuits, `${p}.shortCircuits`, 0),
    };
  });
  return { nodes, edges };
}

export function parseTraceSummaries(v: unknown): TraceSummary[] {
  return arr(v, 'traces').map((x, i) => {
    const o = obj(x, `traces[${i}]`);
    const p = `traces[${i}]`;
    return {
      traceId: str(o.traceId, `${p}.traceId`),
      rootService: typeof o.rootService === 'string' ? o.rootService : '',
      rootOperation: typeof o.rootOperation === 'string' ? o.rootOperation : '',
      startMs: num(o.startMs, `${p}.startMs`),
      durationMs: num(o.durationMs, `${p}.durationMs`),
      spanCount: num(o.spanCount, `${p}.spanCount`, 0),
      errorCount: num(o.errorCount, `${p}.errorCount`, 0),
      services: Array.isArray(o.services) ? o.services.filter((s): s is string => typeof s === 'string') : [],
    };
  });
}

function attributes(v: unknown): Attributes {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Attributes) : {};
}

function status(v: unknown): SpanStatus {
  return v === 'ok' || v === 'error' ? v : 'unset';
}

export function parseTrace(v: unknown): Trace {
  const o = obj(v, 'trace');
  const spans: Span[] = arr(o.spans, 'trace.spans').map((x, i) => {
    const s = obj(x, `spans[${i}]`);
    const p = `spans[${i}]`;
    const events: SpanEvent[] = (Array.isArray(s.events) ? s.events : []).map((ev, j) => {
      const e = obj(ev, `${p}.events[${j}]`);
      return { name: str(e.name, `${p}.events[${j}].name`), timeMs: num(e.timeMs, `${p}.events[${j}].timeMs`), attributes: attributes(e.attributes) };
    });
    return {
      spanId: str(s.spanId, `${p}.spanId`),
      parentSpanId: typeof s.parentSpanId === 'string' ? s.parentSpanId : '',
      service: str(s.service, `${p}.service`),
      name: str(s.name, `${p}.name`),
      kind: typeof s.kind === 'string' ? s.kind : 'internal',
      startMs: num(s.startMs, `${p}.startMs`),
      durationMs: num(s.durationMs, `${p}.durationMs`),
      status: status(s.status),
      attributes: attributes(s.attributes),
      events,
      links: Array.isArray(s.links) ? (s.links as Span['links']) : [],
    };
  });
  return { traceId: str(o.traceId, 'trace.traceId'), spans };
}

function rootCause(v: unknown, p: string): RootCause {
  const o = obj(v, p);
  return {
    service: str(o.service, `${p}.service`),
    operation: typeof o.operation === 'string' ? o.operation : '',
    score: num(o.score, `${p}.score`, 0),
    reason: typeof o.reason === 'string' ? o.reason : '',
    path: Array.isArray(o.path) ? o.path.filter((s): s is string => typeof s === 'string') : [str(o.service, `${p}.service`)],
    traceIds: Array.isArray(o.traceIds) ? o.traceIds.filter((s): s is string => typeof s === 'string' && /^[0-9a-f]{32}$/.test(s)).slice(0, 5) : [],
  };
}

export function parseRootCauses(v: unknown): RootCausesResponse {
  const o = obj(v, 'root-causes');
  const incidents: Incident[] = arr(o.incidents, 'incidents').map((x, i) => {
    const inc = obj(x, `incidents[${i}]`);
    const p = `incidents[${i}]`;
    return {
      startMs: num(inc.startMs, `${p}.startMs`),
      endMs: num(inc.endMs, `${p}.endMs`),
      affected: Array.isArray(inc.affected) ? inc.affected.filter((s): s is string => typeof s === 'string') : [],
      rootCauses: arr(inc.rootCauses ?? [], `${p}.rootCauses`).map((rc, j) => rootCause(rc, `${p}.rootCauses[${j}]`)),
      ...(Array.isArray(inc.signals) ? { signals: inc.signals.filter((s): s is string => typeof s === 'string') } : {}),
      ...(typeof inc.ongoing === 'boolean' ? { ongoing: inc.ongoing } : {}),
    };
  });
  return { incidents };
}

export function parseConfig(v: unknown): DashboardConfig {
  const o = obj(v, 'config');
  return { controlUrl: typeof o.controlUrl === 'string' && o.controlUrl.length > 0 ? o.controlUrl : null };
}

export function parseScenarios(v: unknown): Scenario[] {
  return arr(v, 'scenarios').map((x, i) => {
    const o = obj(x, `scenarios[${i}]`);
    const s: Scenario = { name: str(o.name, `scenarios[${i}].name`), description: typeof o.description === 'string' ? o.description : '' };
    if (typeof o.lookAt === 'string' && o.lookAt) s.lookAt = o.lookAt;
    return s;
  });
}

export function parseActiveScenario(v: unknown): ActiveScenario | null {
  if (v === null || v === undefined) return null;
  const o = obj(v, 'active');
  return { name: str(o.name, 'active.name'), startMs: num(o.startMs, 'active.startMs', 0), durationMs: num(o.durationMs, 'active.durationMs', 0) };
}

export function parseFaults(v: unknown): ActiveFault[] {
  // Accept a bare array or `{ faults: [...] }`: the control server is built in parallel.
  const list = Array.isArray(v) ? v : arr(obj(v, 'faults').faults, 'faults.faults');
  return list.map((x, i) => {
    const o = obj(x, `faults[${i}]`);
    const fault: ActiveFault = {
      service: str(o.service, `faults[${i}].service`),
      kind: typeof o.kind === 'string' ? o.kind : 'fault',
      startMs: num(o.startMs, `faults[${i}].startMs`, 0),
    };
    if (typeof o.endMs === 'number') fault.endMs = o.endMs;
    return fault;
  });
}
