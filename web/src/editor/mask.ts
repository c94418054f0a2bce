// Masks: one object id per pixel in a Uint32Array (0 = background), painted without antialiasing, and stored
// as an RGBA PNG where id = R + 256*G + 65536*B and A = 255 (what the official SDK's load_label_bitmap_from_url
// reads). Drawing never creates stroke objects: a stroke just writes ids into the buffer.

export class IdBuffer {
  readonly ids: Uint32Array;
  constructor(
    readonly width: number,
    readonly height: number,
    ids?: Uint32Array,
  ) {
    this.ids = ids ?? new Uint32Array(width * height);
  }

  /** Fill a disc of ``radius`` around (cx, cy) with ``id`` (0 erases). Returns the touched rectangle or null. */
  paintDisc(cx: number, cy: number, radius: number, id: number, onlyId?: number): Rect | null {
    const r = Math.max(0.5, radius);
    const x0 = Math.max(0, Math.floor(cx - r));
    const x1 = Math.min(this.width - 1, Math.ceil(cx + r));
    const y0 = Math.max(0, Math.floor(cy - r));
    const y1 = Math.min(this.height - 1, Math.ceil(cy + r));
    if (x0 > x1 || y0 > y1) return null;
    const r2 = r * r;
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - cy;
      const row = y * this.width;
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - cx;
        if (dx * dx + dy * dy <= r2) {
          const i = row + x;
          if (onlyId === undefined || this.ids[i] === onlyId) this.ids[i] = id;
        }
      }
    }
    return { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
  }

  /** Paint a stroke segment from a to b with discs every half radius (no gaps at any speed). */
  paintLine(ax: number, ay: number, bx: number, by: number, radius: number, id: number): Rect | null {
    const steps = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / Math.max(0.5, radius / 2)));
    let rect: Rect | null = null;
    for (let s = 0; s <= steps; s++) {
      const t = s / steps;
      rect = union(rect, this.paintDisc(ax + (bx - ax) * t, ay + (by - ay) * t, radius, id));
    }
    return rect;
  }

  /** Fill a polygon (even-odd, pixel centres) with ``id``. */
  fillPolygon(points: [number, number][], id: number): Rect | null {
    if (points.length < 3) return null;
    const ys = points.map((p) => p[1]);
    const y0 = Math.max(0, Math.floor(Math.min(...ys)));
    const y1 = Math.min(this.height - 1, Math.ceil(Math.max(...ys)));
    let minX = this.width, maxX = -1;
    for (let y = y0; y <= y1; y++) {
      const cy = y + 0.5;
      const xs: number[] = [];
      for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
        const [xi, yi] = points[i];
        const [xj, yj] = points[j];
        if (yi > cy !== yj > cy) xs.push(xi + ((cy - yi) * (xj - xi)) / (yj - yi));
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const from = Math.max(0, Math.ceil(xs[k] - 0.5));
        const to = Math.min(this.width - 1, Math.floor(xs[k + 1] - 0.5));
        if (from <= to) {
          this.ids.fill(id, y * this.width + from, y * this.width + to + 1);
          minX = Math.min(minX, from);
          maxX = Math.max(maxX, to);
        }
      }
    }
    return maxX < 0 ? null : { x: minX, y: y0, w: maxX - minX + 1, h: y1 - y0 + 1 };
  }

  replaceId(from: number, to: number): void {
    for (let i = 0; i < this.ids.length; i++) if (this.ids[i] === from) this.ids[i] = to;
  }

  usedIds(): Set<number> {
    const s = new Set<number>();
    let last = 0;
    for (let i = 0; i < this.ids.length; i++) {
      const v = this.ids[i];
      if (v !== last) {
        if (v) s.add(v);
        last = v;
      }
    }
    return s;
  }

  snapshot(r: Rect): Uint32Array {
    const out = new Uint32Array(r.w * r.h);
    for (let y = 0; y < r.h; y++) out.set(this.ids.subarray((r.y + y) * this.width + r.x, (r.y + y) * this.width + r.x + r.w), y * r.w);
    return out;
  }

  restore(r: Rect, data: Uint32Array): void {
    for (let y = 0; y < r.h; y++) this.ids.set(data.subarray(y * r.w, (y + 1) * r.w), (r.y + y) * this.width + r.x);
  }
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function union(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b;
  if (!b) return a;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/** The id buffer as RGBA bytes of the stored PNG: R + 256 G + 65536 B = id, A = 255. */
export function idsToRgba(ids: Uint32Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray(ids.length * 4);
  for (let i = 0, j = 0; i < ids.length; i++, j += 4) {
    const v = ids[i];
    out[j] = v & 0xff;
    out[j + 1] = (v >>> 8) & 0xff;
    out[j + 2] = (v >>> 16) & 0xff;
    out[j + 3] = 255;
  }
  return out;
}

/** Ids from RGBA bytes of a stored mask (alpha ignored; 0 = background). */
export function rgbaToIds(rgba: Uint8ClampedArray | Uint8Array): Uint32Array {
  const out = new Uint32Array(rgba.length / 4);
  for (let i = 0, j = 0; i < out.length; i++, j += 4) out[i] = rgba[j] | (rgba[j + 1] << 8) | (rgba[j + 2] << 16);
  return out;
}

/** Overlay colours for the visible mask: each id painted with its category's colour, half transparent. */
export function overlayRgba(ids: Uint32Array, colorOf: (id: number) => [number, number, number] | null, out?: Uint8ClampedArray, alpha = 120): Uint8ClampedArray {
  const px = out ?? new Uint8ClampedArray(ids.length * 4);
  let lastId = -1;
  let c: [number, number, number] | null = null;
  for (let i = 0, j = 0; i < ids.length; i++, j += 4) {
    const v = ids[i];
    if (v !== lastId) {
      c = v ? colorOf(v) : null;
      lastId = v;
    }
    if (c) {
      px[j] = c[0];
      px[j + 1] = c[1];
      px[j + 2] = c[2];
      px[j + 3] = alpha;
    } else px[j + 3] = 0;
  }
  return px;
}
