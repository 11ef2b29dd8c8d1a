// Answer types: the collector's own (`@faultline/collector/api-types`, types only).
import type * as C from '@faultline/collector/api-types';

export type ServiceSummary = C.ServiceEntry;
export type CallerView = C.CallerView;
export type GraphNode = C.GraphNode;
export type GraphEdge = C.GraphEdge;
export type Graph = C.GraphAnswer;
export type GraphDelta = C.GraphDeltaEvent;
export type NodeKind = GraphNode['kind'];
export type CurrentFigures = C.CurrentFigures;
/** The figures every service, node, edge and series point carries. */
export type Rates = C.RedFigures;
export type TraceSummary = C.TraceSummary;
export type Span = C.TraceSpan;
export type SpanEvent = C.TraceSpan['events'][number];
export type SpanLink = C.TraceSpan['links'][number];
export type SpanStatus = C.TraceSpan['status'];
export type Attributes = C.TraceSpan['attributes'];
/** What a span attribute holds: any JSON value (the model's readers check the type they need). */
export type AttrValue = Attributes[string];
export type Trace = C.TraceAnswer;
export type RootCause = C.RootCause;
export type Incident = C.Incident;
export type RootCausesResponse = C.RootCausesAnswer;
export type SeriesAnswer = C.SeriesAnswer;
export type SeriesAnswerPoint = C.SeriesPoint;
export type Breaker = C.BreakerHistory;
export type Annotation = C.Annotation;
export type Run = C.NamespaceEntry;
export type DashboardConfig = C.ConfigAnswer;
export type Alert = C.Alert;
export type TransactionSummary = C.TransactionSummary;
export type TransactionState = TransactionSummary['state'];
export type TransactionStep = C.TransactionStep;
export type TransactionDetail = C.TransactionAnswer;

export type { ActiveFault, ActiveScenario, Scenario } from './controlSchemas.js';
