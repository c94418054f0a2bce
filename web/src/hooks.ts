import { useQuery } from "@tanstack/react-query";
import { ApiError, get } from "./api";
import type { Dataset } from "./types";

export function useDataset(owner: string, name: string) {
  return useQuery({
    queryKey: ["dataset", owner, name],
    queryFn: ({ signal }) => get<Dataset>(`/datasets/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/`, signal),
    retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2,
  });
}

export const isNotFound = (e: unknown) => e instanceof ApiError && (e.status === 404 || e.status === 403);
