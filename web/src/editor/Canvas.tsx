// The drawing surface: the image (a downscaled preview when zoomed out, the full image when zoomed in), the
// mask overlay (the id buffer rendered through ImageData, redrawn only where a stroke touched it), and the
// vector objects with their handles. One 2D canvas for the image and mask, one above it for objects; each is
// redrawn in a requestAnimationFrame only when something it shows changed.

import { useLayoutEffect, useRef } from "react";
import type { CategoryDef } from "../types";
import { categoryColor, rgb } from "./colors";
import type { Editor } from "./Editor";
import { boxFrom, clampPt, fitView, panBy, round2, toImage, toScreen, zoomAt, type Pt } from "./geometry";
import { bboxCorners, handleAt, objectAt, HANDLE, type Handle } from "./hit";
import type { EditorObject } from "./labels";
import { overlayRgba, type Rect } from "./mask";

export interface CanvasImage {
  full: CanvasImageSource;
  preview: CanvasImageSource | null;
  previewW: number;
  width: number;
  height: number;
}

type Drag =
  | { kind: "pan"; last: Pt }
  | { kind: "box"; start: Pt; end: Pt }
  | { kind: "move"; id: number; start: Pt; orig: EditorObject; moved: boolean }
  | { kind: "handle"; id: number; handle: Handle; orig: EditorObject }
  | { kind: "paint"; last: Pt; id: number };

export function EditorCanvas({ editor, image, categories, tool, onReady }: { editor: Editor; image: CanvasImage; categories: CategoryDef[]; tool: string; onReady?: () => void }) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const bgRef = useRef<HTMLCanvasElement>(null);
  const fgRef = useRef<HTMLCanvasElement>(null);

  // A layout effect: the pointer and key listeners are attached in the same task that puts the canvas on screen,
  // so an input that arrives right after the workspace appears is never lost (a passive effect runs a task later,
  // and the browser may dispatch input before it).
  useLayoutEffect(() => {
    const wrap = wrapRef.current!;
    const bg = bgRef.current!;
    const fg = fgRef.current!;
    const bgc = bg.getContext("2d")!;
    const fgc = fg.getContext("2d")!;
    let size = { w: 0, h: 0 };
    let frame = 0;
    let bgDirty = true;
    let lastVersion = -1;
    let lastView = "";
    let drag: Drag | null = null;
    let hover: Pt | null = null;
    let spaceHeld = false;
    const colorCache = new Map<number, [number, number, number]>();
    const colorOf = (catId: number) => {
      let c = colorCache.get(catId);
      if (!c) colorCache.set(catId, (c = categoryColor(categories, catId)));
      return c;
    };

    // mask overlay: an image-sized canvas holding the coloured ids, refreshed per touched rectangle
    let maskCanvas: HTMLCanvasElement | null = null;
    let maskCtx: CanvasRenderingContext2D | null = null;
    let maskDirty: Rect | "all" | null = "all";
    const objCategory = new Map<number, number>();
    const refreshMaskColors = () => {
      objCategory.clear();
      for (const o of editor.objects) objCategory.set(o.id, o.category_id);
    };
    const maskIdAt = (p: Pt) => {
      const m = editor.mask;
      if (!m) return 0;
      const x = Math.floor(p[0]), y = Math.floor(p[1]);
      if (x < 0 || y < 0 || x >= m.width || y >= m.height) return 0;
      return m.ids[y * m.width + x];
    };
    const updateMaskCanvas = () => {
      const m = editor.mask;
      if (!m || !maskDirty) return;
      if (!maskCanvas) {
        maskCanvas = document.createElement("canvas");
        maskCanvas.width = m.width;
        maskCanvas.height = m.height;
        maskCtx = maskCanvas.getContext("2d")!;
      }
      const r = maskDirty === "all" ? { x: 0, y: 0, w: m.width, h: m.height } : maskDirty;
      maskDirty = null;
      if (r.w <= 0 || r.h <= 0) return;
      const sub = r.x === 0 && r.y === 0 && r.w === m.width && r.h === m.height ? m.ids : m.snapshot(r);
      const px = overlayRgba(sub, (id) => {
        const cat = objCategory.get(id);
        return cat === undefined ? [255, 255, 255] : colorOf(cat);
      });
      maskCtx!.putImageData(new ImageData(px as unknown as Uint8ClampedArray<ArrayBuffer>, r.w, r.h), r.x, r.y);
    };
    const markMask = (r: Rect | null) => {
      if (!r) return;
      if (maskDirty === "all") return;
      if (!maskDirty) maskDirty = r;
      else {
        const a = maskDirty;
        const x = Math.min(a.x, r.x), y = Math.min(a.y, r.y);
        maskDirty = { x, y, w: Math.max(a.x + a.w, r.x + r.w) - x, h: Math.max(a.y + a.h, r.y + r.h) - y };
      }
    };

    const resize = () => {
      const rect = wrap.getBoundingClientRect();
      const dpr = window.devicePixelRatio || 1;
      const w = Math.max(1, Math.floor(rect.width));
      const h = Math.max(1, Math.floor(rect.height));
      const first = size.w === 0;
      size = { w, h };
      for (const c of [bg, fg]) {
        c.width = Math.floor(w * dpr);
        c.height = Math.floor(h * dpr);
        c.style.width = `${w}px`;
        c.style.height = `${h}px`;
      }
      if (first) editor.view = fitView(image.width, image.height, w, h);
      bgDirty = true;
      schedule();
    };

    const drawBg = () => {
      const dpr = window.devicePixelRatio || 1;
      const v = editor.view;
      bgc.setTransform(dpr, 0, 0, dpr, 0, 0);
      bgc.fillStyle = "#2b2f36";
      bgc.fillRect(0, 0, size.w, size.h);
      const shownW = image.width * v.scale;
      const src = image.preview && shownW <= image.previewW * 1.05 ? image.preview : image.full;
      bgc.imageSmoothingEnabled = v.scale < 2;
      bgc.drawImage(src, v.tx, v.ty, image.width * v.scale, image.height * v.scale);
      if (editor.mask) {
        updateMaskCanvas();
        bgc.imageSmoothingEnabled = false;
        if (maskCanvas) bgc.drawImage(maskCanvas, v.tx, v.ty, image.width * v.scale, image.height * v.scale);
      }
    };

    const drawFg = () => {
      const dpr = window.devicePixelRatio || 1;
      const v = editor.view;
      fgc.setTransform(dpr, 0, 0, dpr, 0, 0);
      fgc.clearRect(0, 0, size.w, size.h);
      fgc.lineWidth = 2;
      // batch by category: one colour set per category. Boxes are drawn with fillRect/strokeRect, which Skia
      // rasterizes on its rectangle fast path: with 10,000 boxes one big Path2D of rects took ~330 ms a frame in
      // software rendering, the same boxes as rect calls ~42 ms (bench/RESULTS.md, "Web app budgets").
      const byCat = new Map<number, EditorObject[]>();
      for (const o of editor.objects) {
        if (o.type === "mask") continue;
        const list = byCat.get(o.category_id);
        if (list) list.push(o);
        else byCat.set(o.category_id, [o]);
      }
      for (const [cat, list] of byCat) {
        const c = colorOf(cat);
        fgc.strokeStyle = rgb(c);
        fgc.fillStyle = rgb(c, 0.15);
        const path = new Path2D();
        const dots = new Path2D();
        for (const o of list) {
          const pts = o.points;
          if (o.type === "bbox" && pts.length === 2) {
            const x = pts[0][0] * v.scale + v.tx, y = pts[0][1] * v.scale + v.ty;
            const w = (pts[1][0] - pts[0][0]) * v.scale, h = (pts[1][1] - pts[0][1]) * v.scale;
            fgc.fillRect(x, y, w, h);
            fgc.strokeRect(x, y, w, h);
          } else if ((o.type === "polygon" || o.type === "polyline") && pts.length) {
            path.moveTo(pts[0][0] * v.scale + v.tx, pts[0][1] * v.scale + v.ty);
            for (let i = 1; i < pts.length; i++) path.lineTo(pts[i][0] * v.scale + v.tx, pts[i][1] * v.scale + v.ty);
            if (o.type === "polygon") path.closePath();
          } else if (o.type === "point" && pts.length) {
            const x = pts[0][0] * v.scale + v.tx, y = pts[0][1] * v.scale + v.ty;
            dots.moveTo(x + 4, y);
            dots.arc(x, y, 4, 0, Math.PI * 2);
          }
        }
        fgc.fill(path);
        fgc.stroke(path);
        fgc.fillStyle = rgb(c);
        fgc.fill(dots);
      }
      const sel = editor.selected;
      if (sel) {
        fgc.strokeStyle = "#ffffff";
        fgc.lineWidth = 1.5;
        fgc.setLineDash([5, 3]);
        const pts = sel.type === "bbox" && sel.points.length === 2 ? bboxCorners(sel) : sel.points;
        if (pts.length) {
          fgc.beginPath();
          const s0 = toScreen(v, pts[0]);
          fgc.moveTo(s0[0], s0[1]);
          for (const p of pts.slice(1)) {
            const s = toScreen(v, p);
            fgc.lineTo(s[0], s[1]);
          }
          if (sel.type === "bbox" || sel.type === "polygon") fgc.closePath();
          fgc.stroke();
        }
        fgc.setLineDash([]);
        fgc.fillStyle = "#ffffff";
        fgc.strokeStyle = "#000000";
        for (const p of pts) {
          const s = toScreen(v, p);
          fgc.fillRect(s[0] - HANDLE / 2, s[1] - HANDLE / 2, HANDLE, HANDLE);
          fgc.strokeRect(s[0] - HANDLE / 2, s[1] - HANDLE / 2, HANDLE, HANDLE);
        }
      }
      // the shape being drawn
      const c = colorOf(editor.categoryId);
      fgc.strokeStyle = rgb(c);
      fgc.lineWidth = 2;
      if (drag?.kind === "box") {
        const [a, b] = boxFrom(drag.start, drag.end, image.width, image.height);
        const sa = toScreen(v, a), sb = toScreen(v, b);
        fgc.strokeRect(sa[0], sa[1], sb[0] - sa[0], sb[1] - sa[1]);
      }
      if (editor.drawing && editor.drawing.length) {
        fgc.beginPath();
        const pts = hover ? [...editor.drawing, toImage(v, hover)] : editor.drawing;
        const s0 = toScreen(v, pts[0]);
        fgc.moveTo(s0[0], s0[1]);
        for (const p of pts.slice(1)) {
          const s = toScreen(v, p);
          fgc.lineTo(s[0], s[1]);
        }
        fgc.stroke();
        fgc.fillStyle = rgb(c);
        for (const p of editor.drawing) {
          const s = toScreen(v, p);
          fgc.fillRect(s[0] - 3, s[1] - 3, 6, 6);
        }
      }
      if (hover && (editor.tool === "brush" || editor.tool === "eraser")) {
        fgc.strokeStyle = "#ffffff";
        fgc.lineWidth = 1;
        fgc.beginPath();
        fgc.arc(hover[0], hover[1], Math.max(1, (editor.brushSize / 2) * v.scale), 0, Math.PI * 2);
        fgc.stroke();
      }
    };

    function schedule() {
      if (!frame) frame = requestAnimationFrame(render);
    }
    function render() {
      frame = 0;
      const started = performance.now();
      const viewKey = `${editor.view.scale},${editor.view.tx},${editor.view.ty},${size.w},${size.h}`;
      if (viewKey !== lastView) {
        lastView = viewKey;
        bgDirty = true;
      }
      if (editor.version !== lastVersion) {
        if (editor.mask) maskDirty = "all"; // undo, redo, re-labels: recolour the whole overlay once
        lastVersion = editor.version;
        refreshMaskColors();
      }
      if (bgDirty || maskDirty) {
        bgDirty = false;
        drawBg();
      }
      drawFg();
      // the performance budgets are measured from these (bench/web_bench.py sets the array)
      const times = (window as unknown as { __lhFrameTimes?: number[] }).__lhFrameTimes;
      if (times) times.push(performance.now() - started);
    }

    const unsubscribe = editor.onRedraw(() => schedule());
    (editor as unknown as { onMaskReplaced?: () => void }).onMaskReplaced = () => {
      maskDirty = "all";
      schedule();
    };

    const local = (e: { clientX: number; clientY: number }): Pt => {
      const r = fg.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    const imagePt = (s: Pt) => clampPt(toImage(editor.view, s), image.width, image.height);

    const finishDrawing = () => {
      const d = editor.drawing;
      if (!d) return;
      if (editor.tool === "polygon" && d.length >= 3) {
        editor.drawing = null;
        if (editor.mask) paintPolygon(d);
        else editor.add("polygon", d.map(([x, y]) => [round2(x), round2(y)] as Pt));
      } else if (editor.tool === "polyline" && d.length >= 2) {
        editor.drawing = null;
        editor.add("polyline", d.map(([x, y]) => [round2(x), round2(y)] as Pt));
      }
      editor.changed();
    };
    const paintPolygon = (pts: Pt[]) => {
      const m = editor.mask!;
      const sel = editor.selected;
      const id = sel && sel.type === "mask" && sel.category_id === editor.categoryId ? sel.id : nextMaskId();
      editor.beginMaskEdit();
      const r = m.fillPolygon(pts, id);
      editor.touchMask(r);
      markMask(r);
      endStroke(id);
    };
    const nextMaskId = () => editor.objects.reduce((mx, o) => Math.max(mx, o.id), 0) + 1;
    const endStroke = (id: number) => {
      const exists = editor.objects.some((o) => o.id === id);
      const objs = exists || editor.tool === "eraser" ? editor.objects : [...editor.objects, { id, category_id: editor.categoryId, type: "mask" as const, points: [] }];
      editor.endMaskEdit(objs);
      if (editor.tool !== "eraser" && editor.objects.some((o) => o.id === id)) editor.selectedId = id;
      editor.changed();
    };
    (editor as unknown as { finishDrawing?: () => void }).finishDrawing = finishDrawing;

    const onPointerDown = (e: PointerEvent) => {
      if (e.button === 2) return;
      fg.setPointerCapture(e.pointerId);
      const s = local(e);
      const tool = editor.tool;
      if (e.button === 1 || tool === "pan" || spaceHeld) {
        drag = { kind: "pan", last: s };
        return;
      }
      if (editor.readOnly) {
        const hit = objectAt(editor.objects, editor.view, s, maskIdAt);
        editor.selectedId = hit?.id ?? null;
        editor.changed();
        return;
      }
      const p = imagePt(s);
      if (tool === "bbox") {
        drag = { kind: "box", start: p, end: p };
      } else if (tool === "polygon" || tool === "polyline") {
        const d = editor.drawing;
        if (d && d.length >= 3 && tool === "polygon") {
          const first = toScreen(editor.view, d[0]);
          if (Math.hypot(first[0] - s[0], first[1] - s[1]) <= HANDLE + 2) {
            finishDrawing();
            return;
          }
        }
        if (e.detail >= 2) {
          finishDrawing();
          return;
        }
        editor.drawing = d ? [...d, p] : [p];
        editor.changed();
      } else if (tool === "point") {
        editor.add("point", [[round2(p[0]), round2(p[1])]]);
      } else if (tool === "brush" || tool === "eraser") {
        if (!editor.mask) return;
        const sel = editor.selected;
        const id = tool === "eraser" ? 0 : sel && sel.type === "mask" && sel.category_id === editor.categoryId ? sel.id : nextMaskId();
        editor.beginMaskEdit();
        const r = editor.mask.paintDisc(p[0], p[1], editor.brushSize / 2, id);
        editor.touchMask(r);
        markMask(r);
        drag = { kind: "paint", last: p, id };
      } else if (tool === "select") {
        const sel = editor.selected;
        if (sel) {
          const h = handleAt(sel, editor.view, s);
          if (h && e.shiftKey && (sel.type === "polygon" || sel.type === "polyline")) {
            // Shift+click: a vertex goes away, an edge gains one
            if (h.kind === "vertex" && sel.points.length > (sel.type === "polygon" ? 3 : 2)) {
              editor.update(sel.id, { points: sel.points.filter((_, i) => i !== h.index) });
            } else if (h.kind === "edge") {
              const pts = [...sel.points];
              pts.splice(h.index + 1, 0, [round2(p[0]), round2(p[1])]);
              editor.update(sel.id, { points: pts });
            }
            return;
          }
          if (h && h.kind !== "edge") {
            drag = { kind: "handle", id: sel.id, handle: h, orig: sel };
            return;
          }
        }
        const hit = objectAt(editor.objects, editor.view, s, maskIdAt);
        editor.selectedId = hit?.id ?? null;
        if (hit) editor.categoryId = hit.category_id;
        editor.changed();
        if (hit && hit.type !== "mask") drag = { kind: "move", id: hit.id, start: p, orig: hit, moved: false };
      }
    };

    const onPointerMove = (e: PointerEvent) => {
      const s = local(e);
      hover = s;
      if (!drag) {
        if (editor.drawing || editor.tool === "brush" || editor.tool === "eraser") schedule();
        return;
      }
      const p = imagePt(s);
      if (drag.kind === "pan") {
        editor.view = panBy(editor.view, s[0] - drag.last[0], s[1] - drag.last[1]);
        drag.last = s;
        schedule();
      } else if (drag.kind === "box") {
        drag.end = p;
        schedule();
      } else if (drag.kind === "paint" && editor.mask) {
        const r = editor.mask.paintLine(drag.last[0], drag.last[1], p[0], p[1], editor.brushSize / 2, drag.id);
        drag.last = p;
        markMask(r);
        editor.touchMask(r);
      } else if (drag.kind === "move") {
        const dx = p[0] - drag.start[0], dy = p[1] - drag.start[1];
        drag.moved = true;
        const moved = moveObject(drag.orig, dx, dy, image.width, image.height);
        const id = drag.id;
        editor.objects = editor.objects.map((o) => (o.id === id ? moved : o));
        editor.redraw();
      } else if (drag.kind === "handle") {
        const o = drag.orig;
        let points = o.points;
        if (drag.handle.kind === "corner" && o.type === "bbox") {
          const c = bboxCorners(o);
          const opposite = c[(drag.handle.index + 2) % 4];
          points = boxFrom(opposite, p, image.width, image.height);
        } else if (drag.handle.kind === "vertex") {
          points = o.points.map((q, i) => (i === (drag as { handle: { index: number } }).handle.index ? [round2(p[0]), round2(p[1])] as Pt : q));
        }
        editor.objects = editor.objects.map((x) => (x.id === o.id ? { ...o, points } : x));
        editor.redraw();
      }
    };

    const onPointerUp = () => {
      const d = drag;
      drag = null;
      if (!d) return;
      if (d.kind === "box") {
        const [a, b] = boxFrom(d.start, d.end, image.width, image.height);
        if ((b[0] - a[0]) * editor.view.scale >= 3 && (b[1] - a[1]) * editor.view.scale >= 3) {
          editor.add("bbox", [[round2(a[0]), round2(a[1])], [round2(b[0]), round2(b[1])]]);
        }
        schedule();
      } else if (d.kind === "paint") {
        endStroke(d.id);
      } else if ((d.kind === "move" && d.moved) || d.kind === "handle") {
        const now = editor.objects;
        const final = now.find((o) => o.id === d.id);
        // restore the pre-drag array, then commit the result as ONE undo step
        editor.objects = now.map((o) => (o.id === d.id ? d.orig : o));
        if (final) editor.update(d.id, { points: final.points.map(([x, y]) => [round2(x), round2(y)] as Pt) });
      }
    };

    const onWheel = (e: WheelEvent) => {
      e.preventDefault(); // the page itself never zooms
      const factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015));
      editor.view = zoomAt(editor.view, factor, local(e));
      schedule();
    };
    const onDblClick = () => finishDrawing();
    const onLeave = () => {
      hover = null;
      schedule();
    };
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.code === "Space" && !isTyping(e.target)) {
        spaceHeld = true;
        e.preventDefault();
      }
    };
    const onKeyUp = (e: KeyboardEvent) => {
      if (e.code === "Space") spaceHeld = false;
    };

    const ro = new ResizeObserver(resize);
    ro.observe(wrap);
    resize();
    fg.addEventListener("pointerdown", onPointerDown);
    fg.addEventListener("pointermove", onPointerMove);
    fg.addEventListener("pointerup", onPointerUp);
    fg.addEventListener("pointercancel", onPointerUp);
    fg.addEventListener("pointerleave", onLeave);
    fg.addEventListener("wheel", onWheel, { passive: false });
    fg.addEventListener("dblclick", onDblClick);
    window.addEventListener("keydown", onKeyDown);
    window.addEventListener("keyup", onKeyUp);
    render();
    onReady?.();
    return () => {
      cancelAnimationFrame(frame);
      unsubscribe();
      ro.disconnect();
      fg.removeEventListener("pointerdown", onPointerDown);
      fg.removeEventListener("pointermove", onPointerMove);
      fg.removeEventListener("pointerup", onPointerUp);
      fg.removeEventListener("pointercancel", onPointerUp);
      fg.removeEventListener("pointerleave", onLeave);
      fg.removeEventListener("wheel", onWheel);
      fg.removeEventListener("dblclick", onDblClick);
      window.removeEventListener("keydown", onKeyDown);
      window.removeEventListener("keyup", onKeyUp);
    };
  }, [editor, image, categories, onReady]);

  return (
    <div ref={wrapRef} className="canvas-wrap">
      <canvas ref={bgRef} aria-hidden="true" />
      <canvas ref={fgRef} className={`fg tool-${tool}`} data-testid="editor-canvas" aria-hidden="true" />
    </div>
  );
}

export function moveObject(o: EditorObject, dx: number, dy: number, w: number, h: number): EditorObject {
  if (!o.points.length) return o;
  const xs = o.points.map((p) => p[0]);
  const ys = o.points.map((p) => p[1]);
  // keep the whole object inside the image
  const cdx = Math.min(w - Math.max(...xs), Math.max(-Math.min(...xs), dx));
  const cdy = Math.min(h - Math.max(...ys), Math.max(-Math.min(...ys), dy));
  return { ...o, points: o.points.map(([x, y]) => [x + cdx, y + cdy] as Pt) };
}

export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) return true;
  if (tag === "INPUT") {
    const type = (el as HTMLInputElement).type;
    return !["checkbox", "radio", "range", "button", "submit"].includes(type);
  }
  return false;
}
