import { lazy, Suspense, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useLocation, useSearch } from "wouter";
import { api, ApiError, get, qs } from "../api";
import { isNotFound, sampleQuery, useDataset } from "../hooks";
import { STATUS_WORDS, roleAtLeast, type AttributeDef, type CategoryDef, type Dataset, type Issue, type Label, type LabelStatus, type Sample, type SampleSummary } from "../types";
import { EditorCanvas, isTyping, moveObject, type CanvasImage } from "../editor/Canvas";
import { Editor, type Tool } from "../editor/Editor";
import { fitView, zoomAt } from "../editor/geometry";
import { actionFor, KEYS, shortcutsOf } from "../editor/keys";
import { decodeLabel, isMaskTask, toolsFor, type EditorObject } from "../editor/labels";
import { IdBuffer, rgbaToIds } from "../editor/mask";
import { readDraft, Saver, type SaveState } from "../editor/save";
import { loadImage, prefetchImage, takeImage } from "../editor/images";
import { imageFrames, SequenceLabel, type ImageFrame } from "../editor/sequence";
import { gridSearch, parseGridParams } from "./DatasetPage";
import { HistoryPanel } from "./HistoryPanel";
import { NotFoundPage } from "./NotFound";
import { pointcloudFrames } from "../pointcloud/cloud";
import { categoryColor, rgb } from "../editor/colors";

// three.js and the point-cloud viewer are their own chunk, loaded only when a point-cloud sample opens.
const PointCloudWorkspace = lazy(() => import("../pointcloud/PointCloudWorkspace"));

const TOOL_NAMES: Record<string, [string, string]> = {
  select: ["Select", "V"], pan: ["Pan", "H"], bbox: ["Bounding box", "R"], polygon: ["Polygon", "P"],
  polyline: ["Polyline", "L"], point: ["Point", "K"], brush: ["Brush", "B"], eraser: ["Eraser", "E"],
};

interface Loaded {
  sample: Sample;
  /** image sequences: the sample's frames (the editor shows one at a time); null for single images */
  frames: ImageFrame[] | null;
  label: Label | null;
  image: CanvasImage;
  mask: IdBuffer | null;
}

async function loadMask(url: string, w: number, h: number): Promise<IdBuffer> {
  const res = await fetch(url, { credentials: "same-origin" });
  if (!res.ok) throw new Error(`mask download failed (HTTP ${res.status})`);
  const bmp = await createImageBitmap(await res.blob(), { premultiplyAlpha: "none", colorSpaceConversion: "none" });
  const c = document.createElement("canvas");
  c.width = w;
  c.height = h;
  const ctx = c.getContext("2d", { willReadFrequently: true })!;
  ctx.drawImage(bmp, 0, 0);
  return new IdBuffer(w, h, rgbaToIds(ctx.getImageData(0, 0, w, h).data));
}

async function loadBlobMask(blob: Blob, w: number, h: number): Promise<IdBuffer> {
  const url = URL.createObjectURL(blob);
  try {
    return await loadMask(url, w, h);
  } finally {
    URL.revokeObjectURL(url);
  }
}

// Samples visited through the queue in this tab, for "Previous sample" in queue mode.
const queueTrail: string[] = [];

export default function WorkspacePage({ params }: { params: { owner: string; name: string; uuid: string } }) {
  const { owner, name, uuid } = params;
  const search = useSearch();
  const sp = new URLSearchParams(search);
  const labelset = sp.get("labelset") || "ground-truth";
  const queue = (sp.get("queue") as "label" | "review" | null) ?? null;
  const ds = useDataset(owner, name);
  const sampleQ = useQuery(sampleQuery(uuid));
  if ((ds.isError && isNotFound(ds.error)) || (sampleQ.isError && isNotFound(sampleQ.error))) return <NotFoundPage />;
  if (sampleQ.data && ds.data && sampleQ.data.dataset_full_name !== ds.data.full_name) return <NotFoundPage />;
  if (ds.isError || sampleQ.isError) return <p role="alert">Could not open the sample: {((ds.error || sampleQ.error) as Error).message}</p>;
  if (!ds.data || !sampleQ.data) return <p className="loading">Loading workspace…</p>;
  const frames = pointcloudFrames(sampleQ.data.attributes);
  if (frames) {
    return (
      <Suspense fallback={<p className="loading">Loading the point-cloud viewer…</p>}>
        <PointCloudWorkspace dataset={ds.data} sample={sampleQ.data} labelset={labelset} frames={frames}
          backHref={`/datasets/${ds.data.full_name}${queue ? "" : gridSearch(parseGridParams(search))}`} />
      </Suspense>
    );
  }
  return <WorkspaceLoader dataset={ds.data} sample={sampleQ.data} labelset={labelset} queue={queue} search={search} />;
}

function WorkspaceLoader(props: { dataset: Dataset; sample: Sample; labelset: string; queue: "label" | "review" | null; search: string }) {
  const { dataset, sample, labelset } = props;
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  useEffect(() => {
    let cancelled = false;
    setLoaded(null);
    (async () => {
      const frames = imageFrames(sample.attributes);
      const url = sample.attributes.image?.url ?? frames?.[0].image.url;
      if (!url) throw new Error("This sample has no image (only image datasets can be labeled here).");
      const [label, image] = await Promise.all([
        api<Label>("GET", `/labels/${sample.uuid}/${encodeURIComponent(labelset)}/`).catch((e) => {
          if (e instanceof ApiError && e.status === 404) return null;
          throw e;
        }),
        takeImage(url),
      ]);
      let mask: IdBuffer | null = null;
      if (isMaskTask(dataset.task_type)) {
        const m = decodeLabel(dataset.task_type, label?.attributes).maskUrl;
        mask = m ? await loadMask(m, image.width, image.height) : new IdBuffer(image.width, image.height);
      }
      if (!cancelled) setLoaded({ sample, frames, label, image, mask });
    })().catch((e) => !cancelled && setError(e instanceof ApiError ? e.detail : (e as Error).message));
    return () => {
      cancelled = true;
    };
  }, [sample, labelset, dataset.task_type, reloads]);
  if (error) return <p role="alert">Could not open the sample: {error}</p>;
  if (!loaded) return <p className="loading">Loading image…</p>;
  return <WorkspaceView key={`${sample.uuid}:${reloads}`} {...props} loaded={loaded} onReload={() => setReloads((n) => n + 1)} />;
}

function WorkspaceView({ dataset, sample, labelset, queue, search, loaded, onReload }: {
  dataset: Dataset; sample: Sample; labelset: string; queue: "label" | "review" | null; search: string; loaded: Loaded; onReload: () => void;
}) {
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const categories: CategoryDef[] = useMemo(() => dataset.task_attributes?.categories ?? [], [dataset]);
  const imageAttrDefs: AttributeDef[] = dataset.task_attributes?.image_attributes ?? [];
  const canLabel = roleAtLeast(dataset.role, "labeler");
  const canReview = roleAtLeast(dataset.role, "reviewer");
  const tools = toolsFor(dataset.task_type);
  const base = `/datasets/${dataset.full_name}`;

  const sequence = useMemo(
    () => (loaded.frames ? new SequenceLabel(loaded.frames.length, loaded.label?.attributes) : null),
    [loaded],
  );
  const editor = useMemo(() => {
    const e = new Editor();
    const label = sequence ? sequence.frames[0] : decodeLabel(dataset.task_type, loaded.label?.attributes).label;
    e.readOnly = !canLabel;
    e.categoryId = categories[0]?.id ?? 1;
    // a new object in a sequence starts a new track
    if (sequence) e.newObjectExtras = () => ({ track_id: sequence.nextTrackId(e.label()), is_keyframe: true });
    e.load(label, loaded.image.width, loaded.image.height, loaded.mask);
    return e;
  }, [loaded, sequence, dataset.task_type, canLabel, categories]);
  const saver = useMemo(
    () => new Saver(editor, { uuid: sample.uuid, labelset, taskType: dataset.task_type, canWrite: canLabel, sequence }, {
      status: loaded.label?.label_status ?? null,
      updatedAt: loaded.label?.updated_at ?? null,
      maskUrl: decodeLabel(dataset.task_type, loaded.label?.attributes).maskUrl,
    }),
    [editor, sample.uuid, labelset, dataset.task_type, canLabel, loaded, sequence],
  );
  useEffect(() => () => saver.dispose(), [saver]);
  useSyncExternalStore(editor.subscribe, editor.getVersion);
  const saveState = useSyncExternalStore(
    useCallback((fn: () => void) => saver.subscribe(fn), [saver]),
    () => saver.state,
  );
  const [status, setStatus] = useState<LabelStatus>(loaded.label?.label_status ?? "UNLABELED");
  useEffect(() => saver.subscribe(() => saver.status && setStatus(saver.status)), [saver]);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [rejectOpen, setRejectOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [image, setImage] = useState<CanvasImage>(loaded.image);
  const [frameIndex, setFrameIndex] = useState(0);
  const frameImages = useRef(new Map<number, Promise<CanvasImage>>([[0, Promise.resolve(loaded.image)]]));
  const frameImage = useCallback((i: number) => {
    let p = frameImages.current.get(i);
    if (!p && loaded.frames?.[i]) {
      p = loadImage(loaded.frames[i].image.url);
      p.catch(() => frameImages.current.delete(i));
      frameImages.current.set(i, p);
    }
    return p ?? Promise.reject(new Error(`no frame ${i + 1}`));
  }, [loaded.frames]);
  /** Shows frame ``i`` of a sequence: the current frame's objects stay in the sequence, the new frame's load. */
  const goFrame = useCallback(async (i: number) => {
    if (!sequence || !loaded.frames || i < 0 || i >= loaded.frames.length || i === sequence.index) return;
    try {
      const img = await frameImage(i);
      sequence.frames[sequence.index] = editor.label();
      sequence.index = i;
      editor.drawing = null;
      editor.load(sequence.frames[i], img.width, img.height, null);
      setImage(img);
      setFrameIndex(i);
      if (i + 1 < loaded.frames.length) void frameImage(i + 1).catch(() => undefined); // prefetch the next frame
    } catch (e) {
      setMessage(`Could not show frame ${i + 1}: ${(e as Error).message}`);
    }
  }, [sequence, loaded.frames, frameImage, editor]);
  useEffect(() => {
    if (loaded.frames && loaded.frames.length > 1) void frameImage(1).catch(() => undefined);
  }, [loaded.frames, frameImage]);

  useEffect(() => {
    document.title = `${sample.name} · ${dataset.full_name} · labelhouse`;
  }, [sample.name, dataset.full_name]);

  // A draft newer than the server copy (a reload or crash right after an edit) comes back, and is saved.
  useEffect(() => {
    if (!canLabel) return;
    let cancelled = false;
    readDraft(sample.uuid, labelset).then(async (d) => {
      if (cancelled || !d) return;
      if (d.baseUpdatedAt !== (loaded.label?.updated_at ?? null)) {
        // the server moved on (often the last save of that page, which the draft also holds): a draft based on an
        // older label can never be restored, so it is dropped rather than left to fill the browser's storage
        void saver.discardDraft();
        return;
      }
      const mask = d.mask && editor.mask ? await loadBlobMask(d.mask, editor.imageW, editor.imageH) : editor.mask;
      if (sequence && d.frames && d.frames.length === sequence.frames.length) {
        sequence.frames = d.frames;
        sequence.index = 0;
        setFrameIndex(0);
        setImage(loaded.image);
        editor.load(d.frames[0], loaded.image.width, loaded.image.height, null);
      } else editor.load({ objects: d.objects, imageAttributes: d.imageAttributes }, editor.imageW, editor.imageH, mask);
      setMessage("Restored your unsaved changes from this browser.");
      saver.markDirty();
    });
    return () => {
      cancelled = true;
    };
  }, [editor, saver, sample.uuid, labelset, loaded, canLabel, sequence]);

  // Closing or reloading the tab: start a last save, and write the local draft synchronously (an IndexedDB write
  // still in flight may be aborted with the page); the draft covers the save if the page goes first.
  useEffect(() => {
    const h = () => {
      if (saver.dirty) void saver.save("save");
    };
    const hide = () => saver.writeDraftNow();
    window.addEventListener("beforeunload", h);
    window.addEventListener("pagehide", hide);
    return () => {
      window.removeEventListener("beforeunload", h);
      window.removeEventListener("pagehide", hide);
    };
  }, [saver]);

  // --- navigation ---------------------------------------------------------------------------------------
  const grid = parseGridParams(search);
  const browseNeighbor = useCallback(
    async (dir: 1 | -1): Promise<{ uuid: string; page: number } | null> => {
      const path = (page: number) =>
        `${`/datasets/${dataset.full_name}/samples/`}${qs({
          label_status: grid.status.join(",") || undefined, name__contains: grid.q || undefined,
          labelset: grid.labelset, sort: grid.sort, page, per_page: grid.per_page,
        })}`;
      const list = await get<SampleSummary[]>(path(grid.page));
      const idx = list.findIndex((s) => s.uuid === sample.uuid);
      if (idx >= 0 && idx + dir >= 0 && idx + dir < list.length) return { uuid: list[idx + dir].uuid, page: grid.page };
      if (dir > 0 && (idx < 0 || list.length === grid.per_page)) {
        const nextList = await get<SampleSummary[]>(path(grid.page + 1));
        return nextList.length ? { uuid: nextList[0].uuid, page: grid.page + 1 } : null;
      }
      if (dir < 0 && grid.page > 1) {
        const prev = await get<SampleSummary[]>(path(grid.page - 1));
        return prev.length ? { uuid: prev[prev.length - 1].uuid, page: grid.page - 1 } : null;
      }
      return null;
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [dataset.full_name, sample.uuid, search],
  );

  // Prefetch the next sample's record and image while the user works (browse mode).
  useEffect(() => {
    if (queue) return;
    let cancelled = false;
    const t = window.setTimeout(() => {
      browseNeighbor(1).then(async (n) => {
        if (!n || cancelled) return;
        const s = await queryClient.fetchQuery({ queryKey: ["sample", n.uuid], queryFn: () => get<Sample>(`/samples/${n.uuid}/`), staleTime: 60_000 });
        const url = s.attributes.image?.url ?? imageFrames(s.attributes)?.[0].image.url;
        if (url && !cancelled) {
          prefetchImage(url);
        }
      }).catch(() => undefined);
    }, 300);
    return () => {
      cancelled = true;
      window.clearTimeout(t);
    };
  }, [browseNeighbor, queue, queryClient]);

  const go = useCallback(
    async (dir: 1 | -1) => {
      setBusy(true);
      setMessage(null);
      try {
        // leaving a sample first flushes pending changes
        if (saver.dirty && !(await saver.save("save"))) {
          setMessage("Not leaving: the changes could not be saved yet.");
          return;
        }
        if (queue) {
          if (dir < 0) {
            const prev = queueTrail.pop();
            if (prev) navigate(`${base}/samples/${prev}?queue=${queue}&labelset=${encodeURIComponent(labelset)}`);
            else setMessage("No previous sample in this session.");
            return;
          }
          const a = await api<{ sample_uuid: string | null }>("POST", `/datasets/${dataset.full_name}/queue/`, {
            mode: queue, labelset, exclude: [sample.uuid],
          });
          if (!a.sample_uuid) {
            navigate(`${base}/${queue}?labelset=${encodeURIComponent(labelset)}`);
            return;
          }
          queueTrail.push(sample.uuid);
          navigate(`${base}/samples/${a.sample_uuid}?queue=${queue}&labelset=${encodeURIComponent(labelset)}`);
          return;
        }
        const n = await browseNeighbor(dir);
        if (!n) {
          setMessage(dir > 0 ? "This is the last sample." : "This is the first sample.");
          return;
        }
        navigate(`${base}/samples/${n.uuid}${gridSearch({ ...grid, page: n.page })}`);
      } catch (e) {
        setMessage(e instanceof ApiError ? e.detail : (e as Error).message);
      } finally {
        setBusy(false);
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [saver, queue, base, labelset, sample.uuid, browseNeighbor, navigate, search],
  );

  const finish = useCallback(
    async (kind: "submit" | "skip" | "accept") => {
      setBusy(true);
      setMessage(null);
      const ok = await saver.save(kind, false);
      setBusy(false);
      queryClient.invalidateQueries({ queryKey: ["dataset", dataset.owner.username, dataset.name] });
      queryClient.invalidateQueries({ queryKey: ["samples", dataset.owner.username, dataset.name] });
      if (ok) await go(1);
    },
    [saver, go, queryClient, dataset],
  );

  const reject = useCallback(
    async (description: string) => {
      setBusy(true);
      setMessage(null);
      let issue: Issue | null = null;
      try {
        issue = await api<Issue>("POST", `/samples/${sample.uuid}/issues/`, { description });
        if (!(await saver.save("reject"))) throw new Error(saver.state.kind === "error" ? saver.state.reason : "the label could not be saved");
        setRejectOpen(false);
        queryClient.invalidateQueries({ queryKey: ["issues", dataset.owner.username, dataset.name] });
        await go(1);
      } catch (e) {
        // both or neither: an issue without the REJECTED status is taken back
        if (issue) await api("DELETE", `/issues/${issue.uuid}/`).catch(() => undefined);
        setMessage(`Not rejected: ${e instanceof ApiError ? e.detail : (e as Error).message}`);
      } finally {
        setBusy(false);
      }
    },
    [saver, sample.uuid, go, queryClient, dataset],
  );

  // The image is on screen and the tools work: the "workspace ready" moment of the budgets.
  const onCanvasReady = useCallback(() => {
    requestAnimationFrame(() => {
      performance.mark("lh:workspace-ready", { detail: sample.uuid });
      document.body.dataset.workspaceReady = sample.uuid;
    });
  }, [sample.uuid]);

  // --- keyboard -----------------------------------------------------------------------------------------
  const viewport = useRef<HTMLDivElement>(null);
  const fit = useCallback(() => {
    const r = viewport.current?.getBoundingClientRect();
    if (r) editor.view = fitView(editor.imageW, editor.imageH, r.width, r.height);
    editor.redraw();
  }, [editor]);
  const setTool = useCallback((t: Tool) => {
    if (!tools.includes(t)) return;
    editor.tool = t;
    editor.drawing = null;
    editor.changed();
  }, [editor, tools]);

  // Attached in a layout effect, like the canvas's listeners: a shortcut pressed right after the workspace appears works.
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || rejectOpen || helpOpen) return;
      const a = actionFor(e);
      if (!a) return;
      const readOnly = editor.readOnly;
      switch (a.action) {
        case "undo": if (!readOnly) editor.undo(); break;
        case "redo": if (!readOnly) editor.redo(); break;
        case "save": void saver.save("save"); break;
        case "submit": if (queue === "review" && canReview) void finish("accept"); else if (canLabel) void finish("submit"); break;
        case "next": void go(1); break;
        case "previous": void go(-1); break;
        case "category": if (categories[a.arg!]) editor.setCategory(categories[a.arg!].id); break;
        case "escape":
          if (editor.drawing) { editor.drawing = null; editor.changed(); }
          else { editor.selectedId = null; setTool("select"); }
          break;
        case "delete":
          if (editor.drawing) {
            if (e.key === "Backspace") editor.drawing = editor.drawing.slice(0, -1);
            if (!editor.drawing.length) editor.drawing = null;
            editor.changed();
          } else if (editor.selectedId != null && !readOnly) editor.remove(editor.selectedId);
          break;
        case "finish": (editor as unknown as { finishDrawing?: () => void }).finishDrawing?.(); break;
        case "nudge": {
          const sel = editor.selected;
          if (!sel || readOnly || sel.type === "mask") return;
          const d = e.shiftKey ? 10 : 1;
          const dx = e.key === "ArrowLeft" ? -d : e.key === "ArrowRight" ? d : 0;
          const dy = e.key === "ArrowUp" ? -d : e.key === "ArrowDown" ? d : 0;
          editor.update(sel.id, { points: moveObject(sel, dx, dy, editor.imageW, editor.imageH).points });
          break;
        }
        case "fit": fit(); break;
        case "zoom:in": case "zoom:out": {
          const r = viewport.current?.getBoundingClientRect();
          editor.view = zoomAt(editor.view, a.action === "zoom:in" ? 1.25 : 0.8, [(r?.width ?? 0) / 2, (r?.height ?? 0) / 2]);
          editor.redraw();
          break;
        }
        case "brush:smaller": editor.brushSize = Math.max(1, Math.round(editor.brushSize / 1.25)); editor.changed(); break;
        case "brush:bigger": editor.brushSize = Math.min(500, Math.round(editor.brushSize * 1.25) + 1); editor.changed(); break;
        case "help": setHelpOpen(true); break;
        case "frame:next": if (!sequence) return; void goFrame(frameIndex + 1); break;
        case "frame:previous": if (!sequence) return; void goFrame(frameIndex - 1); break;
        default:
          if (a.action.startsWith("tool:")) setTool(a.action.slice(5) as Tool);
          else return;
      }
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [editor, saver, queue, canReview, canLabel, finish, go, categories, setTool, fit, rejectOpen, helpOpen, sequence, goFrame, frameIndex]);

  const sel = editor.selected;
  const selCategory = sel ? categories.find((c) => c.id === sel.category_id) : undefined;
  const n = editor.objects.length;

  return (
    <div className="workspace">
      <div className="ws-header">
        <h1 className="ws-title">{sample.name}</h1>
        <Link href={`${base}${queue ? "" : gridSearch(grid)}`}>Back to {dataset.full_name}</Link>
        <p role="status" aria-label="Label status" className={`status status-${status}`}>{STATUS_WORDS[status] ?? status}</p>
        <SaveStatus state={saveState} canWrite={canLabel} />
        {message && <p className="message" role="status">{message}</p>}
      </div>
      <div role="toolbar" aria-label="Tools" aria-orientation="vertical" className="tools">
        {tools.map((t) => (
          <button key={t} type="button" aria-pressed={editor.tool === t} disabled={editor.readOnly && t !== "select" && t !== "pan"}
            aria-keyshortcuts={shortcutsOf(`tool:${t}`)} onClick={() => setTool(t as Tool)} title={`${TOOL_NAMES[t][0]} (${TOOL_NAMES[t][1]})`}>
            {TOOL_NAMES[t][0]} ({TOOL_NAMES[t][1]})
          </button>
        ))}
        {(tools.includes("brush")) && (
          <label className="brush-size">
            Brush size
            <input type="range" min={1} max={200} value={editor.brushSize} aria-keyshortcuts="[ ]"
              onChange={(e) => { editor.brushSize = Number(e.target.value); editor.changed(); }} />
          </label>
        )}
      </div>
      <div role="region" aria-label="Workspace" className="viewport" ref={viewport}>
        <EditorCanvas editor={editor} image={image} categories={categories} tool={editor.tool} onReady={onCanvasReady} />
      </div>
      <aside className="panel">
        <div className="buttons">
          <button type="button" onClick={() => editor.undo()} disabled={!editor.canUndo() || editor.readOnly} aria-keyshortcuts={shortcutsOf("undo")}>Undo</button>
          <button type="button" onClick={() => editor.redo()} disabled={!editor.canRedo() || editor.readOnly} aria-keyshortcuts={shortcutsOf("redo")}>Redo</button>
          <button type="button" onClick={() => void saver.save("save")} disabled={!canLabel} aria-keyshortcuts={shortcutsOf("save")}>Save</button>
          <button type="button" className="primary" onClick={() => void finish("submit")} disabled={!canLabel || busy}
            aria-keyshortcuts={queue === "review" ? undefined : shortcutsOf("submit")}>Submit</button>
          {dataset.enable_skip_labeling !== false && (
            <button type="button" onClick={() => void finish("skip")} disabled={!canLabel || busy}>Skip</button>
          )}
          {canReview && (
            <>
              <button type="button" className="accept" onClick={() => void finish("accept")} disabled={busy}
                aria-keyshortcuts={queue === "review" ? shortcutsOf("submit") : undefined}>Accept</button>
              <button type="button" className="reject" onClick={() => setRejectOpen(true)} disabled={busy}>Reject</button>
            </>
          )}
          <button type="button" onClick={() => void go(-1)} disabled={busy} aria-keyshortcuts={shortcutsOf("previous")}>Previous sample</button>
          <button type="button" onClick={() => void go(1)} disabled={busy} aria-keyshortcuts={shortcutsOf("next")}>Next sample</button>
          <button type="button" onClick={() => setHelpOpen(true)} aria-keyshortcuts="?">Keyboard shortcuts (?)</button>
        </div>
        {saveState.kind === "conflict" && (
          <div role="alert" className="conflict">
            <p>This label was changed on the server{saveState.serverBy ? ` by ${saveState.serverBy}` : ""} since you opened it.</p>
            <button type="button" onClick={async () => { await saver.discardDraft(); onReload(); }}>Reload</button>
            <button type="button" onClick={() => void saver.overwrite()}>Overwrite</button>
          </div>
        )}
        {sequence && loaded.frames && (
          <FrameStrip frames={loaded.frames} current={frameIndex} counts={sequence.frames.map((f, i) => (i === frameIndex ? editor.objects : f.objects).length)}
            onGo={(i) => void goFrame(i)} />
        )}
        <div role="radiogroup" aria-label="Category" className="categories">
          {categories.map((c, i) => (
            <label key={c.id} className="category">
              <input type="radio" name="category" checked={editor.categoryId === c.id}
                aria-keyshortcuts={i < 9 ? String(i + 1) : undefined} onChange={() => editor.setCategory(c.id)} />
              <span className="swatch" style={{ background: rgb(categoryColor(categories, c.id)) }} aria-hidden="true" />
              {c.name}
              {i < 9 && <kbd aria-hidden="true">{i + 1}</kbd>}
            </label>
          ))}
          {categories.length === 0 && <p>This dataset has no categories.</p>}
        </div>
        {sel && selCategory?.attributes && selCategory.attributes.length > 0 && (
          <fieldset className="attributes">
            <legend>Attributes of object {sel.id}</legend>
            {selCategory.attributes.map((a) => (
              <AttributeControl key={a.name} def={a} value={sel.attributes?.[a.name]} disabled={editor.readOnly}
                onChange={(v) => editor.update(sel.id, { attributes: { ...(sel.attributes ?? {}), [a.name]: v } })} />
            ))}
          </fieldset>
        )}
        {imageAttrDefs.length > 0 && (
          <fieldset className="attributes" role="group" aria-label="Image attributes">
            <legend>Image attributes</legend>
            {imageAttrDefs.map((a) => (
              <AttributeControl key={a.name} def={a} value={editor.imageAttributes[a.name]} disabled={editor.readOnly}
                onChange={(v) => editor.commit(editor.objects, { ...editor.imageAttributes, [a.name]: v })} />
            ))}
          </fieldset>
        )}
        <section aria-label="Objects" className="objects">
          <h2>Objects</h2>
          <p>{n === 1 ? "1 object" : `${n} objects`}</p>
          <ObjectList objects={editor.objects} categories={categories} selectedId={editor.selectedId}
            onSelect={(id) => { editor.selectedId = id; editor.changed(); }} />
        </section>
        <IssuesPanel sampleUuid={sample.uuid} dataset={dataset} />
        <HistoryPanel sampleUuid={sample.uuid} labelset={labelset} canWrite={canLabel}
          onRestored={async () => { await saver.discardDraft(); onReload(); }} />
      </aside>
      {rejectOpen && <RejectDialog onCancel={() => setRejectOpen(false)} onReject={reject} busy={busy} />}
      {helpOpen && <HelpDialog onClose={() => setHelpOpen(false)} />}
    </div>
  );
}

const STRIP_LIMIT = 500;

function FrameStrip({ frames, current, counts, onGo }: { frames: ImageFrame[]; current: number; counts: number[]; onGo: (i: number) => void }) {
  const n = frames.length;
  // long sequences: the strip shows a window around the current frame; the buttons reach every frame
  const from = n > STRIP_LIMIT ? Math.max(0, Math.min(n - STRIP_LIMIT, current - STRIP_LIMIT / 2)) : 0;
  const shown = frames.slice(from, from + STRIP_LIMIT);
  return (
    <section aria-label="Frames" className="frames">
      <h2>Frames</h2>
      <p>Frame {current + 1} of {n}{frames[current].name ? ` (${frames[current].name})` : ""}</p>
      <div className="buttons">
        <button type="button" disabled={current === 0} onClick={() => onGo(current - 1)} aria-keyshortcuts={shortcutsOf("frame:previous")}>Previous frame (,)</button>
        <button type="button" disabled={current >= n - 1} onClick={() => onGo(current + 1)} aria-keyshortcuts={shortcutsOf("frame:next")}>Next frame (.)</button>
      </div>
      <ol className="frame-strip">
        {shown.map((f, k) => {
          const i = from + k;
          return (
            <li key={i}>
              <button type="button" aria-current={i === current ? "true" : undefined} onClick={() => onGo(i)}
                title={f.name ?? `Frame ${i + 1}`} aria-label={`Frame ${i + 1}${f.name ? ` (${f.name})` : ""}, ${counts[i] === 1 ? "1 object" : `${counts[i]} objects`}`}>
                {i + 1}
                {counts[i] > 0 && <span className="frame-dot" aria-hidden="true" />}
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function SaveStatus({ state, canWrite }: { state: SaveState; canWrite: boolean }) {
  const text = !canWrite
    ? "Read only"
    : state.kind === "saved" ? "Saved"
    : state.kind === "saving" ? "Saving…"
    : state.kind === "unsaved" ? "Unsaved changes"
    : state.kind === "conflict" ? "Not saved: the label changed on the server"
    : `Not saved: ${state.reason}`;
  return (
    <>
      <p role="status" aria-label="Save status" className={`save save-${state.kind}`}>{text}</p>
      {state.kind === "error" && <p role="alert" className="visually-hidden">{text}</p>}
    </>
  );
}

function AttributeControl({ def, value, onChange, disabled }: { def: AttributeDef; value: unknown; onChange: (v: unknown) => void; disabled: boolean }) {
  const v = value ?? def.default_value;
  if (def.input_type === "checkbox") {
    return (
      <label className="attr">
        <input type="checkbox" checked={Boolean(v)} disabled={disabled} onChange={(e) => onChange(e.target.checked)} /> {def.name}
      </label>
    );
  }
  if (def.input_type === "select") {
    return (
      <label className="attr">
        {def.name}
        <select value={v == null ? "" : String(v)} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
          <option value="">—</option>
          {(def.values ?? []).map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
      </label>
    );
  }
  if (def.input_type === "number") {
    return (
      <label className="attr">
        {def.name}
        <input type="number" value={v == null ? "" : String(v)} min={def.min} max={def.max} step={def.step ?? "any"} disabled={disabled}
          onChange={(e) => onChange(e.target.value === "" ? null : Number(e.target.value))} />
      </label>
    );
  }
  return (
    <label className="attr">
      {def.name}
      <input type="text" value={v == null ? "" : String(v)} disabled={disabled} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

const LIST_LIMIT = 300;

function ObjectList({ objects, categories, selectedId, onSelect }: { objects: EditorObject[]; categories: CategoryDef[]; selectedId: number | null; onSelect: (id: number) => void }) {
  // a long list shows its first LIST_LIMIT rows (and the selected one): the canvas stays the fast path
  const shown = objects.length > LIST_LIMIT ? objects.slice(0, LIST_LIMIT) : objects;
  const names = new Map(categories.map((c) => [c.id, c.name]));
  return (
    <ul className="object-list">
      {shown.map((o) => (
        <li key={o.id}>
          <button type="button" aria-current={o.id === selectedId ? "true" : undefined} onClick={() => onSelect(o.id)}>
            #{o.id} {names.get(o.category_id) ?? `category ${o.category_id}`} · {o.type === "bbox" ? "box" : o.type}
            {o.track_id != null ? ` · track ${o.track_id}` : ""}
          </button>
        </li>
      ))}
      {objects.length > LIST_LIMIT && <li>… and {objects.length - LIST_LIMIT} more</li>}
    </ul>
  );
}

function IssuesPanel({ sampleUuid, dataset }: { sampleUuid: string; dataset: Dataset }) {
  const qc = useQueryClient();
  const key = ["issues", dataset.owner.username, dataset.name];
  const issues = useQuery({ queryKey: key, queryFn: ({ signal }) => get<Issue[]>(`/datasets/${dataset.full_name}/issues/`, signal) });
  const mine = (issues.data ?? []).filter((i) => i.sample_uuid === sampleUuid);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const add = async () => {
    setError(null);
    try {
      await api("POST", `/samples/${sampleUuid}/issues/`, { description: text });
      setText("");
      qc.invalidateQueries({ queryKey: key });
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : String(e));
    }
  };
  const resolve = async (uuid: string) => {
    try {
      await api("PATCH", `/issues/${uuid}/`, { status: "CLOSED" });
      qc.invalidateQueries({ queryKey: key });
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : String(e));
    }
  };
  return (
    <section aria-label="Issues" className="issues">
      <h2>Issues</h2>
      {mine.length === 0 && <p>No issues</p>}
      <ul>
        {mine.map((i) => (
          <li key={i.uuid} className={`issue issue-${i.status}`}>
            <p className="issue-text">{i.description}</p>
            <p className="issue-meta">{i.created_by ?? "someone"} · {i.status === "OPEN" ? "Open" : "Resolved"}</p>
            {i.status === "OPEN" && <button type="button" onClick={() => void resolve(i.uuid)}>Resolve</button>}
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => { e.preventDefault(); if (text.trim()) void add(); }}>
        <label>
          New issue
          <textarea value={text} rows={2} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="submit" disabled={!text.trim()}>Add issue</button>
      </form>
      {error && <p role="alert">{error}</p>}
    </section>
  );
}

function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: React.ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current!;
    if (!d.open) d.showModal();
    const onCancel = (e: Event) => {
      e.preventDefault();
      onClose();
    };
    d.addEventListener("cancel", onCancel);
    return () => d.removeEventListener("cancel", onCancel);
  }, [onClose]);
  const id = `dlg-${title.replace(/\W+/g, "-")}`;
  return (
    <dialog ref={ref} aria-labelledby={id} className="modal">
      <h2 id={id}>{title}</h2>
      {children}
    </dialog>
  );
}

function RejectDialog({ onCancel, onReject, busy }: { onCancel: () => void; onReject: (d: string) => void; busy: boolean }) {
  const [text, setText] = useState("");
  return (
    <Modal title="Reject" onClose={onCancel}>
      <form onSubmit={(e) => { e.preventDefault(); if (text.trim()) onReject(text.trim()); }}>
        <label>
          Issue
          <textarea value={text} required rows={3} autoFocus onChange={(e) => setText(e.target.value)} />
        </label>
        <div className="dialog-buttons">
          <button type="submit" className="reject" disabled={busy || !text.trim()}>Reject</button>
          <button type="button" onClick={onCancel}>Cancel</button>
        </div>
      </form>
    </Modal>
  );
}

function HelpDialog({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose}>
      <table>
        <thead><tr><th scope="col">Keys</th><th scope="col">Action</th></tr></thead>
        <tbody>
          {KEYS.map((k) => (
            <tr key={k.action}><td>{k.keys.map((x) => <kbd key={x}>{x}</kbd>)}</td><td>{k.help}</td></tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={onClose}>Close</button>
    </Modal>
  );
}
