// Screen <-> image coordinates. Image coordinates are pixels of the original image (origin top-left, x right,
// y down); the view maps them to canvas pixels: screen = image * scale + (tx, ty).

export type Pt = [number, number];

export interface View {
  scale: number;
  tx: number;
  ty: number;
}

export const MIN_SCALE = 0.01;
export const MAX_SCALE = 64;

export function toScreen(v: View, p: Pt): Pt {
  return [p[0] * v.scale + v.tx, p[1] * v.scale + v.ty];
}

export function toImage(v: View, p: Pt): Pt {
  return [(p[0] - v.tx) / v.scale, (p[1] - v.ty) / v.scale];
}

/** The view that shows the whole image centred in a viewport, aspect kept, with a margin in screen pixels. */
export function fitView(imgW: number, imgH: number, viewW: number, viewH: number, margin = 16): View {
  const scale = Math.max(MIN_SCALE, Math.min((viewW - 2 * margin) / imgW, (viewH - 2 * margin) / imgH));
  return { scale, tx: (viewW - imgW * scale) / 2, ty: (viewH - imgH * scale) / 2 };
}

/** Zoom by ``factor`` keeping the image point under ``anchor`` (screen) where it is. */
export function zoomAt(v: View, factor: number, anchor: Pt): View {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, v.scale * factor));
  const k = scale / v.scale;
  return { scale, tx: anchor[0] - (anchor[0] - v.tx) * k, ty: anchor[1] - (anchor[1] - v.ty) * k };
}

export function panBy(v: View, dx: number, dy: number): View {
  return { ...v, tx: v.tx + dx, ty: v.ty + dy };
}

export function clampPt(p: Pt, w: number, h: number): Pt {
  return [Math.min(w, Math.max(0, p[0])), Math.min(h, Math.max(0, p[1]))];
}

/** A box from two corners, clamped to the image, as [[x0,y0],[x1,y1]] with x0<=x1, y0<=y1. */
export function boxFrom(a: Pt, b: Pt, w: number, h: number): [Pt, Pt] {
  const p = clampPt(a, w, h);
  const q = clampPt(b, w, h);
  return [
    [Math.min(p[0], q[0]), Math.min(p[1], q[1])],
    [Math.max(p[0], q[0]), Math.max(p[1], q[1])],
  ];
}

/** Round to 1/100 pixel: stable numbers in the stored label without losing sub-pixel work. */
export const round2 = (x: number) => Math.round(x * 100) / 100;

export function pointInPolygon(p: Pt, poly: Pt[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function distToSegment(p: Pt, a: Pt, b: Pt): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  let t = len2 ? ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2 : 0;
  t = Math.max(0, Math.min(1, t));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}
