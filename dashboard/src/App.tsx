import { lazy, Suspense } from 'react';
import { TopBar } from './components/TopBar.js';
import { EmptyState, Loading } from './components/StateViews.js';
import { DashboardContext, useDashboardState } from './hooks/useDashboard.js';
import { ChaosPage } from './pages/ChaosPage.js';
import { IncidentsPage } from './pages/IncidentsPage.js';
import { MapPage } from './pages/MapPage.js';
import { TracePage } from './pages/TracePage.js';
import { TracesPage } from './pages/TracesPage.js';
import { TransactionsPage } from './pages/TransactionsPage.js';
import { useAlerts } from './hooks/useAlerts.js';
import type { Route } from './model/route.js';

// recharts is most of the bundle and only the service page needs it: load it on demand.
const ServicePage = lazy(() => import('./pages/ServicePage.js').then((m) => ({ default: m.ServicePage })));

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'map':
      return <MapPage />;
    case 'incidents':
      return <IncidentsPage />;
    case 'traces':
      return <TracesPage />;
    case 'trace':
      return <TracePage key={route.traceId} traceId={route.traceId} />;
    case 'service':
      return (
        <Suspense fallback={<Loading what="service page" />}>
          <ServicePage key={route.service} service={route.service} />
        </Suspense>
      );
    case 'chaos':
      return <ChaosPage />;
    case 'transactions':
      return <TransactionsPage />;
    case 'not-found':
      return (
        <main className="page">
          <EmptyState title={`No page at ${route.path}`}>
            <p>
              Go to the <a href="#/">service map</a>.
            </p>
          </EmptyState>
        </main>
      );
  }
}

export function App() {
  const d = useDashboardState();
  const { alerts } = useAlerts(d);
  return (
    <DashboardContext.Provider value={d}>
      <TopBar d={d} alerts={alerts} />
      {d.rangeWarnings.length > 0 && <div className="banner warn">{d.rangeWarnings.join('; ')} — showing the last 15 minutes.</div>}
      {d.runWarnings.length > 0 && <div className="banner warn">{d.runWarnings.join('; ')} — showing all runs.</div>}
      <Page route={d.location.route} />
    </DashboardContext.Provider>
  );
}
