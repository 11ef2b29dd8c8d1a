import { useMemo } from 'react';
import { collectorApi } from '../api/collector.js';
import { EmptyState, ErrorState, Loading, Warnings } from '../components/StateViews.js';
import { TransactionTable, TransactionTimelineView } from '../components/TransactionViews.js';
import { useApi } from '../hooks/useApi.js';
import { useDashboard } from '../hooks/useDashboard.js';
import { linkTo } from '../model/route.js';
import { describeRange } from '../model/timeRange.js';
import { groupTransactions, transactionTimeline } from '../model/transactions.js';

/** Transactions listed at most (the API's cap). */
const LIST_LIMIT = 1000;

export function TransactionsPage() {
  const d = useDashboard();
  const { params, setParams } = d.location;
  const list = useApi(`tx:${d.rangeKey}`, d.tick, (signal) => collectorApi.transactions({ ...d.window, limit: LIST_LIMIT }, signal));
  const selectedId = params.get('tx');
  const detail = useApi(selectedId ? `tx-one:${selectedId}` : null, d.tick, (signal) => collectorApi.transaction(selectedId!, signal));
  const nowMs = d.window.toMs;
  const groups = useMemo(() => groupTransactions(list.data ?? [], nowMs), [list.data, nowMs]);
  const timeline = useMemo(() => (detail.data ? transactionTimeline(detail.data, nowMs) : null), [detail.data, nowMs]);
  const select = (id: string) => setParams({ tx: id });

  return (
    <main className="page page-transactions">
      <div className="page-head">
        <h1>Distributed transactions</h1>
        <span className="muted">{describeRange(d.range)}</span>
      </div>
      {list.loading ? (
        <Loading what="transactions" />
      ) : list.error && !list.data ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : (list.data ?? []).length === 0 ? (
        <EmptyState title={`No transactions in the ${describeRange(d.range)}`}>
          <p>
            Services report saga steps with the SDK's <code>transaction()</code> API (events <code>tx.step.started</code>, <code>tx.completed</code>, …); each transaction shows here with its state and age.
          </p>
        </EmptyState>
      ) : (
        <div className="tx-layout">
          <TransactionTable title="Stuck" rows={groups.stuck} selectedId={selectedId} onSelect={select} testId="tx-stuck" />
          <TransactionTable title="Compensating" rows={groups.compensating} selectedId={selectedId} onSelect={select} testId="tx-compensating" />
          <TransactionTable title="In flight" rows={groups.inFlight} selectedId={selectedId} onSelect={select} testId="tx-in-flight" />
          <TransactionTable title="Finished" rows={groups.finished.slice(0, 50)} selectedId={selectedId} onSelect={select} testId="tx-finished" />
        </div>
      )}
      {selectedId && detail.error && !detail.data && <ErrorState error={detail.error} compact />}
      {detail.data && timeline && (
        <>
          <TransactionTimelineView tx={detail.data} timeline={timeline.result} traceHref={(traceId) => linkTo({ page: 'trace', traceId }, params)} />
          <Warnings warnings={timeline.warnings} />
        </>
      )}
    </main>
  );
}
