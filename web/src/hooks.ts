import { useQuery, type QueryClient } from "@tanstack/react-query";
import { ApiError, get } from "./api";
import type { Dataset, Sample } from "./types";
import { prefetchImage } from "./editor/images";

const retry = (n: number, e: unknown) => !(e instanceof ApiError && e.status < 500) && n < 2;

export const datasetQuery = (owner: string, name: string) => ({
  queryKey: ["dataset", owner, name],
  queryFn: ({ signal }: { signal?: AbortSignal }) =>
    get<Dataset>(`/datasets/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/`, signal),
  retry,
});

export const sampleQuery = (uuid: string) => ({
  queryKey: ["sample", uuid],
  queryFn: ({ signal }: { signal?: AbortSignal }) => get<Sample>(`/samples/${uuid}/`, signal),
  retry,
  staleTime: 60_000,
});

export function useDataset(owner: string, name: string) {
  return useQuery(datasetQuery(owner, name));
}

/**
 * Starts what a workspace needs (dataset, sample, its image decoded) as soon as its route matches, in parallel
 * with loading the workspace code: React reveals a lazy route no sooner than 300 ms after its fallback, and
 * nothing was fetched meanwhile (bench/RESULTS.md, "Web app budgets").
 */
export function warmWorkspace(client: QueryClient, owner: string, name: string, uuid: string): void {
  void client.prefetchQuery(datasetQuery(owner, name));
  client.fetchQuery(sampleQuery(uuid)).then((s) => {
    const frames = (s.attributes as { frames?: { image?: { url?: unknown } }[] }).frames;
    const url = s.attributes.image?.url ?? frames?.[0]?.image?.url;
    if (typeof url === "string") prefetchImage(url);
  }).catch(() => undefined); // the page shows the error when it asks again
}

export const isNotFound = (e: unknown) => e instanceof ApiError && (e.status === 404 || e.status === 403);
