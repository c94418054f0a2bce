import { useEffect } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link } from "wouter";
import { get } from "../api";
import type { Dataset } from "../types";

export function DatasetsPage() {
  useEffect(() => {
    document.title = "Datasets · labelhouse";
  }, []);
  const q = useQuery({ queryKey: ["datasets"], queryFn: ({ signal }) => get<Dataset[]>("/user/datasets/?per_page=1000", signal) });
  return (
    <section className="page">
      <h1>Datasets</h1>
      {q.isPending && <p>Loading…</p>}
      {q.isError && <p role="alert">Could not load datasets: {(q.error as Error).message}</p>}
      {q.data && q.data.length === 0 && <p>No datasets</p>}
      {q.data && q.data.length > 0 && (
        <ul className="dataset-list">
          {q.data.map((d) => (
            <li key={d.full_name}>
              <Link href={`/datasets/${d.full_name}`}>{d.full_name}</Link>
              <span className="meta">
                {d.task_type} · {d.samples_count} samples · your role: {d.role ?? "viewer"}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
