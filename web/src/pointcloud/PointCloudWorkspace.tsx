// The point-cloud viewer (contract "Point clouds (v1: view only)"): pcd, ply, kitti and binary-xyzi files; orbit
// (left drag), pan (right drag or Shift+drag), zoom (wheel); top / side / front views; the label's cuboids and 3-D
// vectors drawn in their category colours. This module and three.js form their own chunk, loaded only when a
// point-cloud sample opens.

import { useEffect, useMemo, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link } from "wouter";
import { api, ApiError } from "../api";
import { categoryColor } from "../editor/colors";
import { STATUS_WORDS, type CategoryDef, type Dataset, type Label, type Sample } from "../types";
import { frameAnnotations, type Annotation3D, type Cloud, type PointcloudFrame } from "./cloud";
import { parseCloud, PointCloudScene, type ViewName } from "./scene";

const VIEWS: [ViewName, string][] = [["top", "Top view"], ["side", "Side view"], ["front", "Front view"]];

async function downloadCloud(frame: PointcloudFrame, signal: AbortSignal): Promise<Cloud> {
  const url = frame.pcd.signed_url || frame.pcd.url;
  const res = await fetch(url, { credentials: "same-origin", signal });
  if (!res.ok) throw new Error(`the point cloud could not be downloaded (HTTP ${res.status})`);
  return parseCloud(await res.arrayBuffer(), frame.pcd.type);
}

export default function PointCloudWorkspace({ dataset, sample, labelset, frames, backHref }: {
  dataset: Dataset; sample: Sample; labelset: string; frames: PointcloudFrame[]; backHref: string;
}) {
  const categories: CategoryDef[] = useMemo(() => dataset.task_attributes?.categories ?? [], [dataset]);
  const label = useQuery({
    queryKey: ["label", sample.uuid, labelset],
    queryFn: ({ signal }) =>
      api<Label>("GET", `/labels/${sample.uuid}/${encodeURIComponent(labelset)}/`, undefined, { signal }).catch((e) => {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }),
  });
  const [frameIndex, setFrameIndex] = useState(0);
  const frame = frames[Math.min(frameIndex, frames.length - 1)];
  const annotations = useMemo(() => frameAnnotations(label.data?.attributes, frameIndex), [label.data, frameIndex]);

  const host = useRef<HTMLDivElement>(null);
  const [scene, setScene] = useState<PointCloudScene | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [cloud, setCloud] = useState<Cloud | null>(null);
  const [view, setView] = useState<ViewName | null>("perspective");
  const [pointSize, setPointSize] = useState(2);
  const [drawnCuboids, setDrawnCuboids] = useState(0);
  const framed = useRef(false);

  useEffect(() => {
    document.title = `${sample.name} · ${dataset.full_name} · labelhouse`;
  }, [sample.name, dataset.full_name]);

  // one renderer for the page's lifetime
  useEffect(() => {
    let s: PointCloudScene;
    try {
      s = new PointCloudScene(host.current!);
    } catch (e) {
      setError(`This browser cannot show point clouds: WebGL is not available (${(e as Error).message}).`);
      return;
    }
    s.onUserMove = () => setView(null);
    const ro = new ResizeObserver(() => s.resize());
    ro.observe(host.current!);
    setScene(s);
    return () => {
      ro.disconnect();
      s.dispose();
      setScene(null);
    };
  }, []);

  // the frame's points
  useEffect(() => {
    if (!scene) return;
    const ctl = new AbortController();
    setCloud(null);
    setError(null);
    downloadCloud(frame, ctl.signal)
      .then((c) => {
        scene.setCloud(c);
        if (!framed.current) scene.setView("perspective"); // later frames of a sequence keep the camera
        framed.current = true;
        setCloud(c);
      })
      .catch((e) => !ctl.signal.aborted && setError(`Could not show the point cloud: ${(e as Error).message}`));
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [scene, frame]);

  useEffect(() => {
    if (!scene) return;
    scene.setAnnotations(annotations, (id) => categoryColor(categories, id));
    setDrawnCuboids(scene.cuboidCount());
  }, [scene, annotations, categories]);

  useEffect(() => scene?.setPointSize(pointSize), [scene, pointSize]);

  const ready = !!cloud && label.isSuccess;
  useEffect(() => {
    if (ready) requestAnimationFrame(() => (document.body.dataset.pointcloudReady = sample.uuid));
    return () => {
      delete document.body.dataset.pointcloudReady;
    };
  }, [ready, sample.uuid]);

  const choose = (v: ViewName) => {
    scene?.setView(v);
    setView(v);
  };

  // F fits the whole cloud; + and − zoom (no shortcut acts while typing)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (!scene || e.ctrlKey || e.metaKey || e.altKey || (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))) return;
      if (e.key === "f" || e.key === "F") choose("perspective");
      else if (e.key === "+" || e.key === "=") scene.zoom(0.8);
      else if (e.key === "-") scene.zoom(1.25);
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const status = label.data?.label_status ?? "UNLABELED";
  const names = new Map(categories.map((c) => [c.id, c.name]));
  const described = cloud
    ? `Point cloud, ${cloud.count.toLocaleString("en")} points, ${annotations.length === 1 ? "1 object" : `${annotations.length} objects`}`
    : "Point cloud (loading)";

  return (
    <div className="workspace pointcloud">
      <div className="ws-header">
        <h1 className="ws-title">{sample.name}</h1>
        <Link href={backHref}>Back to {dataset.full_name}</Link>
        <p role="status" aria-label="Label status" className={`status status-${status}`}>{STATUS_WORDS[status] ?? status}</p>
        <p className="message">View only: point-cloud labels are edited through the API for now.</p>
      </div>
      <div role="toolbar" aria-label="Views" aria-orientation="vertical" className="tools">
        {VIEWS.map(([v, name]) => (
          <button key={v} type="button" aria-pressed={view === v} disabled={!cloud} onClick={() => choose(v)}>{name}</button>
        ))}
        <button type="button" disabled={!cloud} aria-keyshortcuts="F" onClick={() => choose("perspective")}>Fit (F)</button>
        <button type="button" disabled={!cloud} aria-keyshortcuts="+" onClick={() => scene?.zoom(0.8)}>Zoom in (+)</button>
        <button type="button" disabled={!cloud} aria-keyshortcuts="-" onClick={() => scene?.zoom(1.25)}>Zoom out (−)</button>
        <label className="brush-size">
          Point size
          <input type="range" min={1} max={8} value={pointSize} onChange={(e) => setPointSize(Number(e.target.value))} />
        </label>
        <p className="hint">Drag: orbit · right drag or Shift+drag: pan · wheel: zoom</p>
      </div>
      <div role="region" aria-label="Workspace" className="viewport" data-cuboids={drawnCuboids}>
        <div ref={host} className="canvas-wrap" role="img" aria-label={described} />
        {!cloud && !error && <p className="overlay loading">Loading point cloud…</p>}
        {error && <p role="alert" className="overlay">{error}</p>}
      </div>
      <aside className="panel">
        {frames.length > 1 && (
          <section aria-label="Frames" className="frames">
            <h2>Frames</h2>
            <p>Frame {frameIndex + 1} of {frames.length}{frame.name ? ` (${frame.name})` : ""}</p>
            <div className="buttons">
              <button type="button" disabled={frameIndex === 0} onClick={() => setFrameIndex((i) => i - 1)}>Previous frame</button>
              <button type="button" disabled={frameIndex >= frames.length - 1} onClick={() => setFrameIndex((i) => i + 1)}>Next frame</button>
            </div>
          </section>
        )}
        <section aria-label="Objects" className="objects">
          <h2>Objects</h2>
          <p>{annotations.length === 1 ? "1 object" : `${annotations.length} objects`}</p>
          {label.isError && <p role="alert">Could not load the label: {(label.error as Error).message}</p>}
          <ul className="object-list">
            {annotations.map((a: Annotation3D) => (
              <li key={a.id}>
                <button type="button" onClick={() => scene?.focus(a)} title="Show this object">
                  #{a.id} {names.get(a.category_id) ?? `category ${a.category_id}`} · {a.type}
                  {a.track_id != null ? ` · track ${a.track_id}` : ""}
                </button>
              </li>
            ))}
          </ul>
        </section>
      </aside>
    </div>
  );
}
