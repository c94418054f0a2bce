import { lazy, Suspense, useEffect, type ReactNode } from "react";
import { Link, Redirect, Route, Switch, useLocation, useSearch } from "wouter";
import { useQueryClient } from "@tanstack/react-query";
import { useAuth } from "./auth";
import { warmWorkspace } from "./hooks";
import { LoginPage } from "./pages/Login";
import { DatasetsPage } from "./pages/Datasets";
import { DatasetPage } from "./pages/DatasetPage";
import { IssuesPage } from "./pages/Issues";
import { ReleasesPage } from "./pages/Releases";
import { QueuePage } from "./pages/Queue";
import { NotFoundPage } from "./pages/NotFound";

// The canvas code is loaded only when a workspace opens (sign-in page budget).
const WorkspacePage = lazy(() => import("./pages/Workspace"));

export function App() {
  const { session, loading } = useAuth();
  const [location] = useLocation();
  const search = useSearch();

  if (loading) return <p className="loading">Loading…</p>;
  if (location === "/login") return <LoginPage />;
  if (!session) {
    const next = location + (search ? `?${search}` : "");
    return <Redirect to={`/login?next=${encodeURIComponent("/app" + next)}`} replace />;
  }
  return (
    <Shell>
      <Switch>
        <Route path="/">
          <Redirect to="/datasets" replace />
        </Route>
        <Route path="/datasets" component={DatasetsPage} />
        <Route path="/datasets/:owner/:name/label">{(p) => <QueuePage params={p} mode="label" />}</Route>
        <Route path="/datasets/:owner/:name/review">{(p) => <QueuePage params={p} mode="review" />}</Route>
        <Route path="/datasets/:owner/:name/issues" component={IssuesPage} />
        <Route path="/datasets/:owner/:name/releases" component={ReleasesPage} />
        <Route path="/datasets/:owner/:name/samples/:uuid">
          {(p) => <WorkspaceRoute key={p.uuid} params={p} />}
        </Route>
        <Route path="/datasets/:owner/:name" component={DatasetPage} />
        <Route component={NotFoundPage} />
      </Switch>
    </Shell>
  );
}

function WorkspaceRoute({ params }: { params: { owner: string; name: string; uuid: string } }) {
  const queryClient = useQueryClient();
  const { owner, name, uuid } = params;
  // the data and the image load while the workspace code does
  useEffect(() => warmWorkspace(queryClient, owner, name, uuid), [queryClient, owner, name, uuid]);
  return (
    <Suspense fallback={<p className="loading">Loading workspace…</p>}>
      <WorkspacePage params={params} />
    </Suspense>
  );
}

function Shell({ children }: { children: ReactNode }) {
  const { session, signOut } = useAuth();
  const queryClient = useQueryClient();
  const [location] = useLocation();
  useEffect(() => {
    document.getElementById("main")?.focus({ preventScroll: true });
  }, [location]);
  return (
    <div className="shell">
      <header className="topbar">
        <nav aria-label="Main">
          <Link href="/datasets" className="brand-link">
            Datasets
          </Link>
        </nav>
        <span className="who">Signed in as {session?.username}</span>
        <button
          type="button"
          onClick={async () => {
            await signOut();
            queryClient.clear();
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
