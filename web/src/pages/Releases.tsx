import { useEffect, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "wouter";
import { api, ApiError, get } from "../api";
import { isNotFound, useDataset } from "../hooks";
import { roleAtLeast } from "../types";
import { NotFoundPage } from "./NotFound";

interface Release {
  name: string;
  description?: string;
  status: string;
  created_at: string;
  attributes?: { url?: string | null };
}

export function ReleasesPage({ params }: { params: { owner: string; name: string } }) {
  const { owner, name } = params;
  const ds = useDataset(owner, name);
  const qc = useQueryClient();
  const [relName, setRelName] = useState("");
  const [description, setDescription] = useState("");
  useEffect(() => {
    document.title = `Releases of ${owner}/${name} · labelhouse`;
  }, [owner, name]);
  const releases = useQuery({
    queryKey: ["releases", owner, name],
    queryFn: ({ signal }) => get<Release[]>(`/datasets/${owner}/${name}/releases/`, signal),
    enabled: ds.isSuccess,
    refetchInterval: (q) => (q.state.data?.some((r) => r.status === "PENDING" || r.status === "PROCESSING") ? 2000 : false),
  });
  const create = useMutation({
    mutationFn: () => api("POST", `/datasets/${owner}/${name}/releases/`, { name: relName, description }),
    onSuccess: () => {
      setRelName("");
      setDescription("");
      qc.invalidateQueries({ queryKey: ["releases", owner, name] });
    },
  });
  if (ds.isError && isNotFound(ds.error)) return <NotFoundPage />;
  return (
    <section className="page">
      <h1>Releases of {owner}/{name}</h1>
      <p><Link href={`/datasets/${owner}/${name}`}>Back to the samples</Link></p>
      {ds.data && roleAtLeast(ds.data.role, "manager") && (
        <form className="inline" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
          <label>Release name <input value={relName} required onChange={(e) => setRelName(e.target.value)} /></label>
          <label>Description <input value={description} onChange={(e) => setDescription(e.target.value)} /></label>
          <button type="submit" disabled={create.isPending}>Create release</button>
          {create.isError && <span role="alert">{(create.error as ApiError).detail ?? String(create.error)}</span>}
        </form>
      )}
      {releases.data && releases.data.length === 0 && <p>No releases</p>}
      {releases.data && releases.data.length > 0 && (
        <table>
          <thead><tr><th scope="col">Release</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Download</th></tr></thead>
          <tbody>
            {releases.data.map((r) => (
              <tr key={r.name}>
                <td>{r.name}{r.description ? ` — ${r.description}` : ""}</td>
                <td>{r.status}</td>
                <td>{r.created_at.slice(0, 16).replace("T", " ")}</td>
                <td>{r.attributes?.url ? <a href={r.attributes.url} download>Download {r.name}</a> : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
