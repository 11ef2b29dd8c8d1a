// Types of the collector's query API answers, derived from the schemas in ./index.ts.
// Types only: importing this module loads no code (`@faultline/collector/api-types`).
import type { z } from 'zod';
import type * as S from './index.js';

export type RedFigures = z.infer<typeof S.RedFigures>;
export type CurrentFigures = z.infer<typeof S.CurrentFigures>;
export type RateFigures = z.infer<typeof S.RateFigures>;
export type ErrorAnswer = z.infer<typeof S.ErrorAnswer>;
export type CallerView = z.infer<typeof S.CallerView>;
export type ServiceEntry = z.infer<typeof S.ServiceEntry>;
export type ServicesAnswer = z.infer<typeof S.ServicesAnswer>;
export type GraphNode = z.infer<typeof S.GraphNode>;
export type GraphEdge = z.infer<typeof S.GraphEdge>;
export type GraphAnswer = z.infer<typeof S.GraphAnswer>;
export type TraceSummary = z.infer<typeof S.TraceSummary>;
export type TracesAnswer = z.infer<typeof S.TracesAnswer>;
export type TraceSpan = z.infer<typeof S.TraceSpan>;
export type TraceAnswer = z.infer<typeof S.TraceAnswer>;
export type SeriesPoint = z.infer<typeof S.SeriesPoint>;
export type SeriesAnswer = z.infer<typeof S.SeriesAnswer>;
export type Annotation = z.infer<typeof S.Annotation>;
export type AnnotationsAnswer = z.infer<typeof S.AnnotationsAnswer>;
export type BreakerTransition = z.infer<typeof S.BreakerTransition>;
export type BreakerHistory = z.infer<typeof S.BreakerHistory>;
export type BreakersAnswer = z.infer<typeof S.BreakersAnswer>;
export type NamespaceEntry = z.infer<typeof S.NamespaceEntry>;
export type NamespacesAnswer = z.infer<typeof S.NamespacesAnswer>;
export type RootCause = z.infer<typeof S.RootCause>;
export type Incident = z.infer<typeof S.Incident>;
export type RootCausesAnswer = z.infer<typeof S.RootCausesAnswer>;
export type GraphDeltaEvent = z.infer<typeof S.GraphDeltaEvent>;
export type Alert = z.infer<typeof S.Alert>;
export type AlertsAnswer = z.infer<typeof S.AlertsAnswer>;
export type TransactionSummary = z.infer<typeof S.TransactionSummary>;
export type TransactionsAnswer = z.infer<typeof S.TransactionsAnswer>;
export type TransactionStep = z.infer<typeof S.TransactionStep>;
export type TransactionAnswer = z.infer<typeof S.TransactionAnswer>;
export type ConfigAnswer = z.infer<typeof S.ConfigAnswer>;
