// Schemas of every answer the dashboard reads, all from the collector's own module
// (`@faultline/collector/api-schemas`), which its tests hold real answers to: one definition
// per answer, so the dashboard cannot expect a shape the collector does not send.
export {
  AlertsAnswer as alertsSchema,
  AnnotationEvent as annotationSchema,
  AnnotationsAnswer as annotationsSchema,
  BreakersAnswer as breakersSchema,
  ConfigAnswer as configSchema,
  CurrentFigures as currentSchema,
  GraphAnswer as graphSchema,
  GraphDeltaEvent as graphDeltaSchema,
  NamespacesAnswer as namespacesSchema,
  RootCausesAnswer as rootCausesSchema,
  SeriesAnswer as seriesSchema,
  ServicesAnswer as servicesSchema,
  TraceAnswer as traceSchema,
  TracesAnswer as traceSummariesSchema,
  TransactionAnswer as transactionDetailSchema,
  TransactionsAnswer as transactionsSchema,
} from '@faultline/collector/api-schemas';
