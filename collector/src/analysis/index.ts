// Pure analysis of spans and graph aggregates: no I/O, never mutates its inputs.
export { LATENCY_BOUNDS_MS, emptyHistogram, observe, mergeHistogram, quantileMs, histogramCount, bucketIndex } from './histogram.js';
export type { Histogram } from './histogram.js';
export { emptyStats, mergeStats, BUCKET_MS, bucketStart } from './stats.js';
export type { Stats } from './stats.js';
export { isServerSide, isCallerSide, isAttemptSpan, nodeContribution, callStats, calleeHint } from './spanContribution.js';
export type { NodeContribution } from './spanContribution.js';
export { isErrorSpan, calleeAddress, httpStatusCode } from './semconv.js';
export { buildGraph, redFigures } from './serviceGraph.js';
export type { GraphInput, GraphNode, GraphEdge, GraphResponse, RedFigures } from './serviceGraph.js';
export { detectIncidents } from './incidents.js';
export type { IncidentOptions, IncidentWindow, ServiceSeries } from './incidents.js';
export { rankRootCauses } from './rootCauses.js';
export { detectSpanIncidents, resolveSpanIncidentOptions } from './spanIncidents.js';
export type { SpanIncidentOptions, SpanIncidentRange } from './spanIncidents.js';
export { carriesFailure, effectiveChildren, requestFailed } from './failures.js';
export { latencyShifts, robustStats } from './latencyShift.js';
export type { KeyShift, LatencySample, LatencyShiftOptions, ServiceShift } from './latencyShift.js';
export type { RootCause, RootCauseInput, RootCauseOptions } from './rootCauses.js';
