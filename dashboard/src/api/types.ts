// Shapes of the collector's query API (shared CONTRACT.md "Collector: query API").
// Answers may carry extra fields; only the listed ones are relied upon.

export interface Rates {
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface ServiceSummary extends Rates {
  name: string;
}

export type NodeKind = 'service' | 'virtual';

export interface GraphNode extends Rates {
  id: string;
  kind: NodeKind;
}

export interface GraphEdge extends Rates {
  source: string;
  target: string;
  retries: number;
  timeouts: number;
  shortCircuits: number;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootOperation: string;
  startMs: number;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}

export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

export interface SpanEvent {
  name: string;
  timeMs: number;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes?: Attributes;
}

export type SpanStatus = 'ok' | 'error' | 'unset';

export interface Span {
  spanId: string;
  parentSpanId: string;
  service: string;
  name: string;
  kind: string;
  startMs: number;
  durationMs: number;
  status: SpanStatus;
  attributes: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
}

export interface Trace {
  traceId: string;
  spans: Span[];
}

export interface RootCause {
  service: string;
  operation: string;
  score: number;
  reason: string;
  path: string[];
  /** Up to five example traces that show the cause (empty when the collector sends none). */
  traceIds: string[];
}

export interface Incident {
  startMs: number;
  endMs: number;
  affected: string[];
  rootCauses: RootCause[];
  /** Extra fields some collectors send: what tripped detection, and whether it is still going on. */
  signals?: string[];
  ongoing?: boolean;
}

export interface RootCausesResponse {
  incidents: Incident[];
}

export interface DashboardConfig {
  controlUrl: string | null;
}

/** Demo control server (demo-services): see api/control.ts. */
export interface Scenario {
  name: string;
  description: string;
  /** What to watch on the dashboard while it runs (optional). */
  lookAt?: string;
}

export interface ActiveScenario {
  name: string;
  startMs: number;
  durationMs: number;
}

export interface ActiveFault {
  service: string;
  kind: string;
  startMs: number;
  endMs?: number;
}

/** GET /api/alerts: one alert per label set. Times are epoch ms. */
export interface Alert {
  id: string;
  rule: string;
  severity: string;
  state: 'firing' | 'resolved';
  startsAt: number;
  endsAt?: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type TransactionState = 'running' | 'compensating' | 'completed' | 'compensated' | 'failed' | 'stuck';

/** GET /api/transactions. */
export interface TransactionSummary {
  id: string;
  type: string;
  state: TransactionState;
  startedMs: number;
  updatedMs: number;
  step: string | null;
  services: string[];
  traceIds: string[];
}

export interface TransactionStep {
  name: string;
  service: string;
  state: string;
  startMs: number;
  endMs: number | null;
  traceId: string;
}

/** GET /api/transactions/:id. */
export interface TransactionDetail extends TransactionSummary {
  steps: TransactionStep[];
}
