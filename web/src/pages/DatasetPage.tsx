import { useEffect, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link, useLocation, useSearch } from "wouter";
import { get, qs } from "../api";
import { isNotFound, useDataset } from "../hooks";
import { ALL_STATUSES, STATUS_WORDS, roleAtLeast, type LabelStatus, type SampleSummary } from "../types";
import { NotFoundPage } from "./NotFound";

const SORTS = ["name", "-name", "created_at", "-created_at", "priority", "-priority"] as const;
const SORT_WORDS: Record<string, string> = {
  name: "Name (A–Z)", "-name": "Name (Z–A)", created_at: "Oldest first", "-created_at": "Newest first",
  priority: "Priority (low first)", "-priority": "Priority (high first)",
};
const PER_PAGES = [50, 100, 250];

export interface GridParams {
  status: LabelStatus[];
  q: string;
  labelset: string;
  sort: string;
  page: number;
  per_page: number;
}

/** Point-cloud samples have no image to show (their viewer is a separate chunk; this check stays small). */
function isPointCloud(attributes: unknown): boolean {
  const a = attributes as { pcd?: unknown; frames?: { pcd?: unknown }[] } | null | undefined;
  return !!a && (!!a.pcd || (Array.isArray(a.frames) && !!a.frames[0]?.pcd));
}

export function parseGridParams(search: string): GridParams {
  const p = new URLSearchParams(search);
  const status = (p.get("status") || "").split(",").filter((s): s is LabelStatus => (ALL_STATUSES as string[]).includes(s));
  const sort = SORTS.includes(p.get("sort") as (typeof SORTS)[number]) ? (p.get("sort") as string) : "name";
  const perPage = Number(p.get("per_page"));
  return {
    status, q: p.get("q") || "", labelset: p.get("labelset") || "ground-truth", sort,
    page: Math.max(1, Math.floor(Number(p.get("page")) || 1)),
    per_page: PER_PAGES.includes(perPage) ? perPage : 100,
  };
}

export function gridSearch(g: GridParams): string {
  return qs({
    status: g.status.join(",") || undefined, q: g.q || undefined,
    labelset: g.labelset === "ground-truth" ? undefined : g.labelset,
    sort: g.sort === "name" ? undefined : g.sort, page: g.page === 1 ? undefined : g.page,
    per_page: g.per_page === 100 ? undefined : g.per_page,
  });
}

export function DatasetPage({ params }: { params: { owner: string; name: string } }) {
  const { owner, name } = params;
  const search = useSearch();
  const [, navigate] = useLocation();
  const g = parseGridParams(search);
  const ds = useDataset(owner, name);
  const [q, setQ] = useState(g.q);
  useEffect(() => setQ(g.q), [g.q]);
  useEffect(() => {
    document.title = `${owner}/${name} · labelhouse`;
  }, [owner, name]);

  // The API pages by page number and size; a grid page of N asks for the N items starting at (page-1)*N.
  const apiPath =
    `/datasets/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/samples/` +
    qs({
      label_status: g.status.join(",") || undefined, name__contains: g.q || undefined, labelset: g.labelset,
      sort: g.sort, page: g.page, per_page: g.per_page,
    });
  const samples = useQuery({
    queryKey: ["samples", owner, name, apiPath],
    queryFn: ({ signal }) => get<SampleSummary[]>(apiPath, signal),
    enabled: ds.isSuccess,
    placeholderData: (prev) => prev,
  });
  // One extra sample tells whether there is a next page (a request of one item).
  const nextPath = apiPath.replace(/([?&])page=\d+/, `$1page=${g.page * g.per_page + 1}`).replace(/([?&])per_page=\d+/, "$1per_page=1");
  const hasNext = useQuery({
    queryKey: ["samples-next", owner, name, nextPath],
    queryFn: ({ signal }) => get<SampleSummary[]>(nextPath, signal),
    enabled: ds.isSuccess && (samples.data?.length ?? 0) === g.per_page,
  });

  if (ds.isError && isNotFound(ds.error)) return <NotFoundPage />;
  if (ds.isError) return <p role="alert">Could not load the dataset: {(ds.error as Error).message}</p>;
  if (!ds.data) return <p>Loading…</p>;
  const d = ds.data;
  const set = (patch: Partial<GridParams>) => navigate(`/datasets/${owner}/${name}${gridSearch({ ...g, page: 1, ...patch })}`);
  const toggleStatus = (s: LabelStatus) =>
    set({ status: g.status.includes(s) ? g.status.filter((x) => x !== s) : [...g.status, s] });
  const base = `/datasets/${owner}/${name}`;
  const labelsetQ = g.labelset === "ground-truth" ? "" : `?labelset=${encodeURIComponent(g.labelset)}`;

  return (
    <section className="page">
      <h1>{d.full_name}</h1>
      <p className="counts">
        <span>{d.samples_count} samples</span>
        {ALL_STATUSES.filter((s) => d.label_stats[s]).map((s) => (
          <span key={s} className={`status status-${s}`}>
            {STATUS_WORDS[s]}: {d.label_stats[s]}
          </span>
        ))}
      </p>
      <nav className="actions" aria-label="Dataset">
        <Link href={`${base}/label${labelsetQ}`} className="button">Start labeling</Link>
        {roleAtLeast(d.role, "reviewer") && <Link href={`${base}/review${labelsetQ}`} className="button">Start reviewing</Link>}
        <Link href={`${base}/issues`}>Issues</Link>
        <Link href={`${base}/releases`}>Releases</Link>
      </nav>
      <div className="filters">
        <fieldset>
          <legend>Label status</legend>
          {ALL_STATUSES.map((s) => (
            <label key={s} className="chip">
              <input type="checkbox" checked={g.status.includes(s)} onChange={() => toggleStatus(s)} />
              {STATUS_WORDS[s]}
            </label>
          ))}
        </fieldset>
        <form role="search" onSubmit={(e) => { e.preventDefault(); set({ q }); }}>
          <label>
            Search samples
            <input type="search" value={q} onChange={(e) => setQ(e.target.value)} />
          </label>
        </form>
        <label>
          Labelset
          <select value={g.labelset} onChange={(e) => set({ labelset: e.target.value })}>
            {d.labelsets.map((l) => <option key={l.name} value={l.name}>{l.name}</option>)}
          </select>
        </label>
        <label>
          Sort
          <select value={g.sort} onChange={(e) => set({ sort: e.target.value })}>
            {SORTS.map((s) => <option key={s} value={s}>{SORT_WORDS[s]}</option>)}
          </select>
        </label>
        <label>
          Per page
          <select value={g.per_page} onChange={(e) => set({ per_page: Number(e.target.value) })}>
            {PER_PAGES.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
      </div>
      {samples.isError && <p role="alert">Could not load samples: {(samples.error as Error).message}</p>}
      {samples.data && samples.data.length === 0 && <p>No samples match.</p>}
      <ul className="grid" aria-label="Samples" aria-busy={samples.isFetching}>
        {samples.data?.map((s) => {
          const status = (s.label?.label_status ?? "UNLABELED") as LabelStatus;
          return (
            <li key={s.uuid}>
              <Link href={`${base}/samples/${s.uuid}${gridSearch({ ...g, page: g.page })}`} className="tile">
                {isPointCloud(s.attributes) ? (
                  <span className="thumb-placeholder" role="img" aria-label={s.name}>Point cloud</span>
                ) : (
                  <img src={`/samples/${s.uuid}/thumbnail`} alt={s.name} loading="lazy" width={160} height={120} />
                )}
                <span className="name">{s.name}</span>
                <span className={`status status-${status}`}>{STATUS_WORDS[status]}</span>
              </Link>
            </li>
          );
        })}
      </ul>
      <nav className="pager" aria-label="Pages">
        {g.page > 1 ? (
          <Link href={`${base}${gridSearch({ ...g, page: g.page - 1 })}`}>Previous page</Link>
        ) : <span aria-hidden="true" />}
        <span>Page {g.page}</span>
        {hasNext.data && hasNext.data.length > 0 && (
          <Link href={`${base}${gridSearch({ ...g, page: g.page + 1 })}`}>Next page</Link>
        )}
      </nav>
    </section>
  );
}
