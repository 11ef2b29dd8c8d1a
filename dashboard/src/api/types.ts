// Answer types of the collector's query API, inferred from the schemas that validate them.
import type { z } from 'zod';
import type * as s from './schemas.js';

export type ServiceSummary = z.infer<typeof s.serviceSummarySchema>;
export type GraphNode = z.infer<typeof s.graphNodeSchema>;
export type GraphEdge = z.infer<typeof s.graphEdgeSchema>;
export type Graph = z.infer<typeof s.graphSchema>;
export type NodeKind = GraphNode['kind'];
export type CurrentFigures = z.infer<typeof s.currentSchema>;
/** The figures every service, node, edge and series point carries. */
export type Rates = Pick<ServiceSummary, 'requests' | 'errors' | 'errorRate' | 'p50Ms' | 'p95Ms' | 'p99Ms'>;
export type TraceSummary = z.infer<typeof s.traceSummarySchema>;
export type Span = z.infer<typeof s.spanSchema>;
export type SpanEvent = Span['events'][number];
export type SpanLink = Span['links'][number];
export type SpanStatus = Span['status'];
export type Attributes = Span['attributes'];
export type AttrValue = Attributes[string];
export type Trace = z.infer<typeof s.traceSchema>;
export type RootCause = z.infer<typeof s.rootCauseSchema>;
export type Incident = z.infer<typeof s.incidentSchema>;
export type RootCausesResponse = z.infer<typeof s.rootCausesSchema>;
export type SeriesAnswer = z.infer<typeof s.seriesSchema>;
export type SeriesAnswerPoint = SeriesAnswer['points'][number];
export type Breaker = z.infer<typeof s.breakerSchema>;
export type Annotation = z.infer<typeof s.annotationSchema>;
export type DashboardConfig = z.infer<typeof s.configSchema>;
export type Alert = z.infer<typeof s.alertSchema>;
export type TransactionState = z.infer<typeof s.transactionStateSchema>;
export type TransactionSummary = z.infer<typeof s.transactionSummarySchema>;
export type TransactionStep = z.infer<typeof s.transactionStepSchema>;
export type TransactionDetail = z.infer<typeof s.transactionDetailSchema>;

export type { ActiveFault, ActiveScenario, Scenario } from './controlSchemas.js';
