// A label's history in the workspace (issue 15): every revision, newest first, who made it and when; a labeler
// (or anyone who may write the label) puts an older revision back with "Restore revision N". The list is fetched
// only when the panel is opened, so browsing samples costs no extra request.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, api, get } from "../api";
import { STATUS_WORDS, type LabelStatus } from "../types";

export interface LabelRevision {
  revision: number;
  action: "created" | "updated" | "deleted" | "restored";
  label_status: LabelStatus | null;
  attributes: { annotations?: unknown[] } | null;
  score: number | null;
  created_at: string;
  created_by: string | null;
}

const ACTION_WORDS: Record<LabelRevision["action"], string> = {
  created: "Created", updated: "Updated", deleted: "Deleted", restored: "Restored",
};

export function historyKey(sampleUuid: string, labelset: string): unknown[] {
  return ["history", sampleUuid, labelset];
}

function objectsOf(r: LabelRevision): string {
  if (r.attributes === null) return "no label";
  const n = Array.isArray(r.attributes.annotations) ? r.attributes.annotations.length : 0;
  return n === 1 ? "1 object" : `${n} objects`;
}

export function HistoryPanel({ sampleUuid, labelset, canWrite, onRestored }: {
  sampleUuid: string; labelset: string; canWrite: boolean; onRestored: () => Promise<void> | void;
}) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const base = `/labels/${sampleUuid}/${encodeURIComponent(labelset)}/history/`;
  const revisions = useQuery({
    queryKey: historyKey(sampleUuid, labelset),
    queryFn: ({ signal }) => get<LabelRevision[]>(`${base}?per_page=100`, signal),
    enabled: open,
  });
  const restore = async (revision: number) => {
    setError(null);
    setBusy(revision);
    try {
      await api("POST", `${base}${revision}/restore/`);
      await qc.invalidateQueries({ queryKey: historyKey(sampleUuid, labelset) });
      await onRestored();
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : String(e));
    } finally {
      setBusy(null);
    }
  };
  const list = revisions.data ?? [];
  return (
    <details className="history" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>History</summary>
      <section aria-label="Label history">
        {revisions.isPending && open && <p>Loading…</p>}
        {revisions.isError && <p role="alert">Could not load the history.</p>}
        {revisions.isSuccess && list.length === 0 && <p>No revisions yet</p>}
        <ol>
          {list.map((r, i) => (
            <li key={r.revision} className={`revision revision-${r.action}`}>
              <p>
                <strong>Revision {r.revision}</strong> · {ACTION_WORDS[r.action]}
                {r.label_status ? ` · ${STATUS_WORDS[r.label_status] ?? r.label_status}` : ""} · {objectsOf(r)}
              </p>
              <p className="revision-meta">
                {r.created_by ?? "someone"} · <time dateTime={r.created_at}>{new Date(r.created_at).toLocaleString()}</time>
              </p>
              {canWrite && i > 0 && (
                <button type="button" disabled={busy !== null} onClick={() => void restore(r.revision)}>
                  Restore revision {r.revision}
                </button>
              )}
            </li>
          ))}
        </ol>
        {error && <p role="alert">{error}</p>}
      </section>
    </details>
  );
}
