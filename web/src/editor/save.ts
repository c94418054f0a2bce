// Never lose work: every edit is written to a local draft (IndexedDB, drafts only, never secrets) at once and
// to the server within seconds with no click; a failed save is shown and retried with backoff, never dropped;
// a label changed on the server since it was loaded (its updated_at) is a conflict the user resolves
// (Reload / Overwrite) instead of being overwritten.

import { del, get as idbGet, set as idbSet } from "idb-keyval";
import { api, ApiError } from "../api";
import type { Label, LabelStatus } from "../types";
import type { Editor } from "./Editor";
import { encodeLabel, isMaskTask, type EditorLabel, type EditorObject } from "./labels";
import type { SequenceLabel } from "./sequence";
import { IdBuffer, idsToRgba } from "./mask";

export const AUTOSAVE_DELAY_MS = 1200; // after the last edit; well inside the 5 s budget
const MAX_RETRY_MS = 15_000;

export type SaveState =
  | { kind: "saved" }
  | { kind: "saving" }
  | { kind: "unsaved" }
  | { kind: "error"; reason: string }
  | { kind: "conflict"; serverUpdatedAt: string; serverBy?: string | null };

export interface Draft {
  objects: EditorObject[];
  imageAttributes: Record<string, unknown>;
  mask: Blob | null;
  baseUpdatedAt: string | null;
  status: LabelStatus;
  at: number;
  /** image sequences: every frame (the current one as in `objects`) and which one was open */
  frames?: EditorLabel[];
  frameIndex?: number;
}

export const draftKey = (uuid: string, labelset: string) => `lh-draft:${uuid}:${labelset}`;

// IndexedDB writes are asynchronous: a page that goes away (reload, close, navigation) right after an edit can
// abort the draft's transaction before it commits. So when the page is hidden with unsaved vector edits, the
// draft is also written synchronously to localStorage (masks need a PNG encode, which cannot be synchronous: their
// IndexedDB draft is written after a pause in painting). Reading takes the newer of the two.
function readLocalDraft(key: string): Draft | undefined {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as Draft) : undefined; // written with mask null (vector labels only)
  } catch {
    return undefined;
  }
}

function dropLocalDraft(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    /* no storage: nothing to drop */
  }
}

export async function readDraft(uuid: string, labelset: string): Promise<Draft | undefined> {
  const key = draftKey(uuid, labelset);
  const local = readLocalDraft(key);
  let stored: Draft | undefined;
  try {
    stored = await idbGet<Draft>(key);
  } catch {
    stored = undefined; // private mode without IndexedDB: the server copy still protects the work
  }
  if (local && (!stored || local.at > stored.at)) return local;
  return stored;
}

async function deleteDraft(key: string): Promise<void> {
  dropLocalDraft(key);
  try {
    await del(key);
  } catch {
    /* no IndexedDB (it may even throw at once): nothing stored there */
  }
}

export async function encodeMaskPng(m: IdBuffer): Promise<Blob> {
  const canvas = document.createElement("canvas");
  canvas.width = m.width;
  canvas.height = m.height;
  const ctx = canvas.getContext("2d")!;
  ctx.putImageData(new ImageData(idsToRgba(m.ids) as unknown as Uint8ClampedArray<ArrayBuffer>, m.width, m.height), 0, 0);
  return await new Promise<Blob>((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("PNG encoding failed"))), "image/png"),
  );
}

/** Upload a PNG through the asset API and its presigned POST; returns the stored file's URL. */
export async function uploadMask(blob: Blob, sampleUuid: string): Promise<string> {
  const asset = await api<{ url: string; presignedPostFields: { url: string; fields: Record<string, string> } }>(
    "POST", "/assets/", { filename: `mask-${sampleUuid}.png` });
  const form = new FormData();
  for (const [k, v] of Object.entries(asset.presignedPostFields.fields)) form.append(k, v);
  form.append("file", blob, "mask.png");
  const target = new URL(asset.presignedPostFields.url, location.href);
  const sameOrigin = target.pathname.replace(/\/$/, "") === "/uploads" ? target.pathname + target.search : target.href;
  const res = await fetch(sameOrigin, { method: "POST", body: form, credentials: "same-origin" });
  if (!res.ok) throw new ApiError(res.status, `mask upload failed (HTTP ${res.status})`);
  return asset.url;
}

export function statusAfterSave(current: LabelStatus | null): LabelStatus {
  if (!current || current === "UNLABELED" || current === "PRELABELED" || current === "REJECTED") return "LABELING_IN_PROGRESS";
  return current;
}

export class Saver {
  state: SaveState = { kind: "saved" };
  status: LabelStatus | null;
  baseUpdatedAt: string | null;
  maskUrl: string | null;
  private savedVersion: number;
  private timer: number | undefined;
  private draftTimer: number | undefined;
  private retryMs = 2000;
  private inflight: Promise<boolean> | null = null;
  private listeners = new Set<() => void>();
  private unsubscribe: () => void;
  private maskVersion = -1;

  constructor(
    private editor: Editor,
    private opts: { uuid: string; labelset: string; taskType: string; canWrite: boolean; sequence?: SequenceLabel | null },
    loaded: { status: LabelStatus | null; updatedAt: string | null; maskUrl: string | null },
  ) {
    this.status = loaded.status;
    this.baseUpdatedAt = loaded.updatedAt;
    this.maskUrl = loaded.maskUrl;
    this.savedVersion = editor.editVersion;
    this.unsubscribe = editor.subscribe(() => this.onChange());
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(state: SaveState): void {
    this.state = state;
    for (const fn of this.listeners) fn();
  }

  dispose(): void {
    this.unsubscribe();
    window.clearTimeout(this.timer);
    window.clearTimeout(this.draftTimer);
  }

  get dirty(): boolean {
    return this.editor.editVersion !== this.savedVersion;
  }

  /** Mark the editor's current contents as unsaved (a restored draft). */
  markDirty(): void {
    this.savedVersion = -1;
    this.onChange();
  }

  private onChange(): void {
    if (!this.opts.canWrite || !this.dirty) return;
    if (this.state.kind === "conflict") return;
    if (this.state.kind !== "error") this.set({ kind: "unsaved" });
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.save("save"), AUTOSAVE_DELAY_MS);
    window.clearTimeout(this.draftTimer);
    // vector labels: the draft is written at once (a reload right after the edit finds it); masks need a PNG
    // encode, so their drafts wait for a pause in painting
    if (this.editor.mask) this.draftTimer = window.setTimeout(() => void this.writeDraft(), 600);
    else void this.writeDraft();
  }

  private draftOf(mask: Blob | null): Draft {
    const e = this.editor;
    const draft: Draft = {
      objects: e.objects, imageAttributes: e.imageAttributes, mask, baseUpdatedAt: this.baseUpdatedAt,
      status: this.status ?? "UNLABELED", at: Date.now(),
    };
    const seq = this.opts.sequence;
    if (seq) {
      draft.frames = seq.frames.map((f, i) => (i === seq.index ? e.label() : f));
      draft.frameIndex = seq.index;
    }
    return draft;
  }

  private async writeDraft(): Promise<void> {
    if (!this.dirty) return;
    try {
      const mask = this.editor.mask ? await encodeMaskPng(this.editor.mask) : null;
      await idbSet(draftKey(this.opts.uuid, this.opts.labelset), this.draftOf(mask));
    } catch {
      /* no IndexedDB: nothing else to do */
    }
  }

  /**
   * The page is going away (pagehide): unsaved vector edits are written to localStorage synchronously, since the
   * IndexedDB write started at the edit may not commit before the page is gone. A full or missing localStorage
   * leaves the IndexedDB draft and the last save as they are.
   */
  writeDraftNow(): void {
    if (!this.opts.canWrite || !this.dirty || this.editor.mask) return;
    try {
      localStorage.setItem(draftKey(this.opts.uuid, this.opts.labelset), JSON.stringify(this.draftOf(null)));
    } catch {
      /* quota or no storage */
    }
  }

  /** Save now (waits for a save in flight first). ``kind`` sets the status; returns whether it is saved. */
  async save(kind: "save" | "submit" | "skip" | "accept" | "reject", force = false): Promise<boolean> {
    window.clearTimeout(this.timer);
    if (!this.opts.canWrite) return false;
    while (this.inflight) await this.inflight;
    if (kind === "save" && !this.dirty) return true;
    if (this.state.kind === "conflict" && !force) return false;
    this.inflight = this.doSave(kind, force);
    try {
      return await this.inflight;
    } finally {
      this.inflight = null;
    }
  }

  private async doSave(kind: "save" | "submit" | "skip" | "accept" | "reject", force: boolean): Promise<boolean> {
    const e = this.editor;
    const version = e.editVersion;
    const path = `/labels/${this.opts.uuid}/${encodeURIComponent(this.opts.labelset)}/`;
    this.set({ kind: "saving" });
    try {
      if (!force) {
        const server = await api<Label>("GET", path).catch((err) => {
          if (err instanceof ApiError && err.status === 404) return null;
          throw err;
        });
        const serverAt = server?.updated_at ?? null;
        if (serverAt !== this.baseUpdatedAt) {
          this.set({ kind: "conflict", serverUpdatedAt: serverAt ?? "deleted", serverBy: server?.updated_by });
          return false;
        }
      }
      if (e.mask && isMaskTask(this.opts.taskType) && (this.maskVersion !== version || !this.maskUrl)) {
        this.maskUrl = await uploadMask(await encodeMaskPng(e.mask), this.opts.uuid);
        this.maskVersion = version;
      }
      const status: LabelStatus =
        kind === "submit" ? "LABELED" : kind === "skip" ? "SKIPPED" : kind === "accept" ? "REVIEWED" : kind === "reject" ? "REJECTED" : statusAfterSave(this.status);
      const attributes = this.opts.sequence
        ? this.opts.sequence.encode(e.label())
        : encodeLabel(this.opts.taskType, e.label(), this.maskUrl);
      const body = { label_status: status, attributes };
      const saved = await api<Label>("PUT", path, body);
      this.baseUpdatedAt = saved.updated_at;
      this.status = saved.label_status;
      this.savedVersion = version;
      this.retryMs = 2000;
      if (e.editVersion === version) {
        await deleteDraft(draftKey(this.opts.uuid, this.opts.labelset));
        this.set({ kind: "saved" });
      } else {
        this.set({ kind: "unsaved" });
        this.onChange();
      }
      return true;
    } catch (err) {
      const reason = err instanceof ApiError ? err.detail : (err as Error).message;
      this.set({ kind: "error", reason });
      if (kind === "save" && !(err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429)) {
        // retried, never dropped
        window.clearTimeout(this.timer);
        this.timer = window.setTimeout(() => void this.save("save"), this.retryMs);
        this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
      }
      return false;
    }
  }

  /** Conflict resolved by keeping the server's label: the caller reloads. */
  async discardDraft(): Promise<void> {
    await deleteDraft(draftKey(this.opts.uuid, this.opts.labelset));
  }

  /** Conflict resolved by writing ours over the server's. */
  async overwrite(): Promise<boolean> {
    this.set({ kind: "unsaved" });
    return this.save("save", true).then(async (ok) => ok || (this.dirty ? false : true));
  }
}
