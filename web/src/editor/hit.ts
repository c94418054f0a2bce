// Hit testing in screen space (tolerances in screen pixels, so they feel the same at every zoom).

import { distToSegment, pointInPolygon, toScreen, type Pt, type View } from "./geometry";
import type { EditorObject } from "./labels";

export const HANDLE = 6;

export type Handle = { kind: "corner"; index: 0 | 1 | 2 | 3 } | { kind: "vertex"; index: number } | { kind: "edge"; index: number; at: Pt };

export function bboxCorners(o: EditorObject): Pt[] {
  const [[x0, y0], [x1, y1]] = o.points;
  return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
}

export function handleAt(o: EditorObject, v: View, s: Pt): Handle | null {
  if (o.type === "bbox") {
    const c = bboxCorners(o);
    for (let i = 0; i < 4; i++) {
      const p = toScreen(v, c[i]);
      if (Math.abs(p[0] - s[0]) <= HANDLE + 2 && Math.abs(p[1] - s[1]) <= HANDLE + 2) return { kind: "corner", index: i as 0 | 1 | 2 | 3 };
    }
    return null;
  }
  if (o.type === "polygon" || o.type === "polyline" || o.type === "point") {
    for (let i = 0; i < o.points.length; i++) {
      const p = toScreen(v, o.points[i]);
      if (Math.hypot(p[0] - s[0], p[1] - s[1]) <= HANDLE + 2) return { kind: "vertex", index: i };
    }
    const n = o.points.length;
    const edges = o.type === "polygon" ? n : n - 1;
    for (let i = 0; i < edges; i++) {
      const a = toScreen(v, o.points[i]);
      const b = toScreen(v, o.points[(i + 1) % n]);
      if (distToSegment(s, a, b) <= HANDLE) return { kind: "edge", index: i, at: s };
    }
  }
  return null;
}

/** The topmost object under screen point ``s`` (the last drawn wins), or null. Mask objects are hit by pixel. */
export function objectAt(objects: EditorObject[], v: View, s: Pt, maskIdAt?: (p: Pt) => number): EditorObject | null {
  const tol = HANDLE;
  for (let i = objects.length - 1; i >= 0; i--) {
    const o = objects[i];
    if (o.type === "bbox" && o.points.length === 2) {
      const a = toScreen(v, o.points[0]);
      const b = toScreen(v, o.points[1]);
      if (s[0] >= a[0] - tol && s[0] <= b[0] + tol && s[1] >= a[1] - tol && s[1] <= b[1] + tol) return o;
    } else if (o.type === "polygon") {
      const pts = o.points.map((p) => toScreen(v, p));
      if (pointInPolygon(s, pts)) return o;
      for (let k = 0; k < pts.length; k++) if (distToSegment(s, pts[k], pts[(k + 1) % pts.length]) <= tol) return o;
    } else if (o.type === "polyline") {
      const pts = o.points.map((p) => toScreen(v, p));
      for (let k = 0; k + 1 < pts.length; k++) if (distToSegment(s, pts[k], pts[k + 1]) <= tol) return o;
    } else if (o.type === "point" && o.points.length === 1) {
      const p = toScreen(v, o.points[0]);
      if (Math.hypot(p[0] - s[0], p[1] - s[1]) <= tol + 2) return o;
    }
  }
  if (maskIdAt) {
    const id = maskIdAt([(s[0] - v.tx) / v.scale, (s[1] - v.ty) / v.scale]);
    if (id) return objects.find((o) => o.id === id) ?? null;
  }
  return null;
}
