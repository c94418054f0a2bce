import { useEffect } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link } from "wouter";
import { get } from "../api";
import { isNotFound, useDataset } from "../hooks";
import type { Issue } from "../types";
import { NotFoundPage } from "./NotFound";

export function IssuesPage({ params }: { params: { owner: string; name: string } }) {
  const { owner, name } = params;
  const ds = useDataset(owner, name);
  useEffect(() => {
    document.title = `Issues of ${owner}/${name} · labelhouse`;
  }, [owner, name]);
  const issues = useQuery({
    queryKey: ["issues", owner, name],
    queryFn: ({ signal }) => get<Issue[]>(`/datasets/${owner}/${name}/issues/`, signal),
    enabled: ds.isSuccess,
  });
  if (ds.isError && isNotFound(ds.error)) return <NotFoundPage />;
  const open = issues.data?.filter((i) => i.status === "OPEN") ?? [];
  return (
    <section className="page">
      <h1>Issues of {owner}/{name}</h1>
      <p><Link href={`/datasets/${owner}/${name}`}>Back to the samples</Link></p>
      {issues.isPending && ds.isSuccess && <p>Loading…</p>}
      {issues.data && open.length === 0 && <p>No open issues</p>}
      {open.length > 0 && (
        <table>
          <thead>
            <tr><th scope="col">Sample</th><th scope="col">Issue</th><th scope="col">Author</th><th scope="col">Raised</th></tr>
          </thead>
          <tbody>
            {open.map((i) => (
              <tr key={i.uuid}>
                <td>
                  {i.sample_uuid ? (
                    <Link href={`/datasets/${owner}/${name}/samples/${i.sample_uuid}`}>{i.sample_name || i.sample_uuid}</Link>
                  ) : "—"}
                </td>
                <td>{i.description}</td>
                <td>{i.created_by ?? "—"}</td>
                <td>{i.created_at.slice(0, 16).replace("T", " ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
