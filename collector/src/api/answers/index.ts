// The answers of the collector's query API, as zod schemas: one definition per answer, from
// which the types (./types.ts, types only) are derived. Import the schemas from
// `@faultline/collector/api-schemas` to validate answers at runtime, the types from
// `@faultline/collector/api-types`. The collector's own tests validate real answers against
// these schemas, so an answer cannot drift from its definition.
export { Attributes, CallCounts, CurrentFigures, ErrorAnswer, RateFigures, RedFigures } from './figures.js';
export { CallerView, GraphAnswer, GraphEdge, GraphNode, ServiceEntry, ServicesAnswer } from './graph.js';
export { SpanEvent, SpanLink, TraceAnswer, TraceSpan, TraceSummary, TracesAnswer } from './traces.js';
export { Annotation, AnnotationsAnswer, BreakerHistory, BreakerTransition, BreakersAnswer, SeriesAnswer, SeriesPoint } from './events.js';
export { NamespaceEntry, NamespacesAnswer } from './runs.js';
export { Incident, RootCause, RootCausesAnswer } from './rootCauses.js';
export { AnnotationEvent, BreakerEvent, GraphDeltaEvent, GraphEvent, ServicesEvent } from './stream.js';
export { Alert, AlertsAnswer, ConfigAnswer, TransactionAnswer, TransactionState, TransactionStep, TransactionSummary, TransactionsAnswer } from './operations.js';
