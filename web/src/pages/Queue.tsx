import { useEffect, useState } from "react";
import { Link, useLocation, useSearch } from "wouter";
import { api, ApiError } from "../api";
import { isNotFound, useDataset } from "../hooks";
import { NotFoundPage } from "./NotFound";

export interface QueueAnswer {
  sample_uuid: string | null;
}

/** Asks the server for the next sample of the label or review queue (reserved for this user) and opens it. */
export function QueuePage({ params, mode }: { params: { owner: string; name: string }; mode: "label" | "review" }) {
  const { owner, name } = params;
  const ds = useDataset(owner, name);
  const labelset = new URLSearchParams(useSearch()).get("labelset") || "ground-truth";
  const [, navigate] = useLocation();
  const [state, setState] = useState<"asking" | "empty" | "error">("asking");
  const [error, setError] = useState("");
  useEffect(() => {
    document.title = `${mode === "label" ? "Labeling" : "Reviewing"} ${owner}/${name} · labelhouse`;
    if (!ds.isSuccess) return;
    let cancelled = false;
    api<QueueAnswer>("POST", `/datasets/${owner}/${name}/queue/`, { mode, labelset })
      .then((a) => {
        if (cancelled) return;
        if (a.sample_uuid) {
          navigate(`/datasets/${owner}/${name}/samples/${a.sample_uuid}?queue=${mode}&labelset=${encodeURIComponent(labelset)}`, { replace: true });
        } else setState("empty");
      })
      .catch((e) => {
        if (cancelled) return;
        setState("error");
        setError(e instanceof ApiError ? e.detail : String(e));
      });
    return () => {
      cancelled = true;
    };
  }, [ds.isSuccess, owner, name, mode, labelset, navigate]);
  if (ds.isError && isNotFound(ds.error)) return <NotFoundPage />;
  return (
    <section className="page">
      <h1>{mode === "label" ? "Labeling" : "Reviewing"} {owner}/{name}</h1>
      {state === "asking" && <p>Finding the next sample…</p>}
      {state === "empty" && (
        <p role="status">
          {mode === "label" ? "Nothing left to label" : "Nothing left to review"} in this dataset.{" "}
          <Link href={`/datasets/${owner}/${name}`}>Back to the samples</Link>
        </p>
      )}
      {state === "error" && <p role="alert">Could not get the next sample: {error}</p>}
    </section>
  );
}
