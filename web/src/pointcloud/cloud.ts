// Point clouds without three.js: the raw binary formats (kitti, binary-xyzi), colouring, view bounds, and the
// sample/label shapes of the point-cloud task types (segments-api.md §9.1, §9.2). Pure functions, unit-tested.

export interface Cloud {
  /** x, y, z per point (metres, z up) */
  positions: Float32Array;
  /** one value per point, or null when the format has none */
  intensity: Float32Array | null;
  /** r, g, b in 0..1 per point when the file carries colours (pcd rgb, ply) */
  colors: Float32Array | null;
  count: number;
}

export interface Bounds {
  min: [number, number, number];
  max: [number, number, number];
}

/**
 * KITTI velodyne `.bin` and Segments' `binary-xyzi`: little-endian float32 records (x, y, z, intensity), no header.
 * Points with a non-finite coordinate are dropped (they would poison the bounds and the camera).
 */
export function parseXYZI(buf: ArrayBuffer, type = "binary-xyzi"): Cloud {
  const RECORD = 16;
  if (buf.byteLength % RECORD !== 0) {
    throw new Error(
      `not a ${type} file: it holds float32 x, y, z, intensity records of ${RECORD} bytes, but its size (${buf.byteLength} bytes) is not a multiple of ${RECORD}`,
    );
  }
  const n = buf.byteLength / RECORD;
  const view = new DataView(buf);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  // Fast path on little-endian machines (all browsers in practice); DataView otherwise.
  const src = little ? new Float32Array(buf) : null;
  const positions = new Float32Array(n * 3);
  const intensity = new Float32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    let x: number, y: number, z: number, w: number;
    if (src) {
      x = src[i * 4]; y = src[i * 4 + 1]; z = src[i * 4 + 2]; w = src[i * 4 + 3];
    } else {
      const o = i * RECORD;
      x = view.getFloat32(o, true); y = view.getFloat32(o + 4, true); z = view.getFloat32(o + 8, true); w = view.getFloat32(o + 12, true);
    }
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) continue;
    positions[k * 3] = x;
    positions[k * 3 + 1] = y;
    positions[k * 3 + 2] = z;
    intensity[k] = Number.isFinite(w) ? w : 0;
    k++;
  }
  return {
    positions: k === n ? positions : positions.slice(0, k * 3),
    intensity: k === n ? intensity : intensity.slice(0, k),
    colors: null,
    count: k,
  };
}

/** The raw formats this module parses itself; pcd and ply go through three's loaders. */
export const RAW_TYPES = ["kitti", "binary-xyzi"];
export const VIEWABLE_TYPES = ["pcd", "ply", ...RAW_TYPES];

/** Bounds of the points between the `lo` and `hi` quantiles per axis (far outliers do not shrink the view). */
export function viewBounds(positions: Float32Array, lo = 0.02, hi = 0.98, maxSamples = 20_000): Bounds | null {
  const n = Math.floor(positions.length / 3);
  if (n === 0) return null;
  const step = Math.max(1, Math.floor(n / maxSamples));
  const axes: number[][] = [[], [], []];
  for (let i = 0; i < n; i += step) for (let a = 0; a < 3; a++) axes[a].push(positions[i * 3 + a]);
  const min: number[] = [], max: number[] = [];
  for (const values of axes) {
    values.sort((p, q) => p - q);
    const m = values.length - 1;
    min.push(values[Math.floor(m * lo)]);
    max.push(values[Math.ceil(m * hi)]);
  }
  return { min: min as Bounds["min"], max: max as Bounds["max"] };
}

/** A perceptual blue → green → yellow → red ramp, t in 0..1. */
export function ramp(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const stops: [number, number, number][] = [[0.18, 0.3, 0.85], [0.1, 0.75, 0.85], [0.3, 0.85, 0.3], [0.95, 0.85, 0.2], [0.95, 0.3, 0.2]];
  const f = x * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(f));
  const u = f - i;
  const a = stops[i], b = stops[i + 1];
  return [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u];
}

/**
 * Per-point colours: the file's own colours if any, else intensity (scaled by its 2–98 % range, so KITTI's 0..1 and
 * 0..255 sensors look alike), else height.
 */
export function colorize(cloud: Cloud, bounds: Bounds | null): Float32Array {
  if (cloud.colors) return cloud.colors;
  const out = new Float32Array(cloud.count * 3);
  let values: Float32Array;
  let lo: number, hi: number;
  const intensityRange = cloud.intensity ? quantileRange(cloud.intensity) : null;
  if (cloud.intensity && intensityRange && intensityRange[1] > intensityRange[0]) {
    values = cloud.intensity;
    [lo, hi] = intensityRange;
  } else {
    values = new Float32Array(cloud.count);
    for (let i = 0; i < cloud.count; i++) values[i] = cloud.positions[i * 3 + 2];
    lo = bounds ? bounds.min[2] : 0;
    hi = bounds ? bounds.max[2] : 1;
  }
  const span = hi > lo ? hi - lo : 1;
  for (let i = 0; i < cloud.count; i++) {
    const c = ramp((values[i] - lo) / span);
    out[i * 3] = c[0];
    out[i * 3 + 1] = c[1];
    out[i * 3 + 2] = c[2];
  }
  return out;
}

function quantileRange(values: Float32Array, maxSamples = 20_000): [number, number] | null {
  if (!values.length) return null;
  const step = Math.max(1, Math.floor(values.length / maxSamples));
  const s: number[] = [];
  for (let i = 0; i < values.length; i += step) s.push(values[i]);
  s.sort((a, b) => a - b);
  return [s[Math.floor((s.length - 1) * 0.02)], s[Math.ceil((s.length - 1) * 0.98)]];
}

// --- labels -------------------------------------------------------------------------------------------------

export interface XYZ { x: number; y: number; z: number }

export interface Cuboid {
  id: number;
  category_id: number;
  type: "cuboid" | "cuboid-sync";
  position: XYZ;
  dimensions: XYZ;
  yaw: number;
  rotation?: { qx: number; qy: number; qz: number; qw: number } | null;
  track_id?: number;
}

export interface Vector3D {
  id: number;
  category_id: number;
  type: "polygon" | "polyline" | "point";
  points: number[][];
  track_id?: number;
}

export type Annotation3D = Cuboid | Vector3D;

export const isCuboid = (a: Annotation3D): a is Cuboid => a.type === "cuboid" || a.type === "cuboid-sync";

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isXYZ = (v: unknown): v is XYZ => !!v && typeof v === "object" && isNum((v as XYZ).x) && isNum((v as XYZ).y) && isNum((v as XYZ).z);

/** The cuboids and 3-D vectors of one frame; anything malformed is left out rather than drawn wrong. */
export function annotationsOf(frame: unknown): Annotation3D[] {
  const list = (frame as { annotations?: unknown })?.annotations;
  if (!Array.isArray(list)) return [];
  const out: Annotation3D[] = [];
  for (const a of list) {
    if (!a || typeof a !== "object" || !isNum(a.id)) continue;
    if ((a.type === "cuboid" || a.type === "cuboid-sync") && isXYZ(a.position) && isXYZ(a.dimensions)) {
      out.push({ ...a, yaw: isNum(a.yaw) ? a.yaw : 0 } as Cuboid);
    } else if ((a.type === "polygon" || a.type === "polyline" || a.type === "point") && Array.isArray(a.points)
      && a.points.every((p: unknown) => Array.isArray(p) && p.length >= 2 && p.every(isNum))) {
      out.push(a as Vector3D);
    }
  }
  return out;
}

export interface PointcloudFrame {
  pcd: { url: string; signed_url?: string | null; type: string };
  name?: string;
  timestamp?: unknown;
}

/** The frames of a point-cloud sample: one for `pointcloud`, several for `pointcloud-sequence`; null otherwise. */
export function pointcloudFrames(sampleAttributes: unknown): PointcloudFrame[] | null {
  const attrs = sampleAttributes as { pcd?: unknown; frames?: unknown } | null;
  if (!attrs || typeof attrs !== "object") return null;
  const valid = (f: unknown): f is PointcloudFrame => {
    const pcd = (f as PointcloudFrame)?.pcd;
    return !!pcd && typeof pcd === "object" && typeof pcd.url === "string" && typeof pcd.type === "string";
  };
  if (valid(attrs)) return [attrs];
  if (Array.isArray(attrs.frames) && attrs.frames.length > 0 && attrs.frames.every(valid)) return attrs.frames;
  return null;
}

/** The annotations of frame `index` of a point-cloud label (single-frame labels have no `frames`). */
export function frameAnnotations(labelAttributes: unknown, index: number): Annotation3D[] {
  const attrs = labelAttributes as { frames?: unknown[]; annotations?: unknown } | null;
  if (!attrs) return [];
  if (Array.isArray(attrs.frames)) return annotationsOf(attrs.frames[index]);
  return index === 0 ? annotationsOf(attrs) : [];
}

/**
 * The 12 edges of a cuboid as 24 points (x, y, z each), plus one segment from the centre to the middle of the front
 * face (+x in the box frame) that shows the heading. Rotation: the `rotation` quaternion when given, else `yaw`
 * about z.
 */
export function cuboidSegments(c: Cuboid): Float32Array {
  const { x: dx, y: dy, z: dz } = c.dimensions;
  const hx = dx / 2, hy = dy / 2, hz = dz / 2;
  const corners: [number, number, number][] = [];
  for (const sx of [-1, 1]) for (const sy of [-1, 1]) for (const sz of [-1, 1]) corners.push([sx * hx, sy * hy, sz * hz]);
  // corner index = (sx>0)*4 + (sy>0)*2 + (sz>0)
  const edges = [[0, 1], [2, 3], [4, 5], [6, 7], [0, 2], [1, 3], [4, 6], [5, 7], [0, 4], [1, 5], [2, 6], [3, 7]];
  const rotate = rotationOf(c);
  const p = c.position;
  const out = new Float32Array((edges.length + 1) * 2 * 3);
  let k = 0;
  const put = (v: [number, number, number]) => {
    const r = rotate(v);
    out[k++] = r[0] + p.x;
    out[k++] = r[1] + p.y;
    out[k++] = r[2] + p.z;
  };
  for (const [a, b] of edges) {
    put(corners[a]);
    put(corners[b]);
  }
  put([0, 0, 0]);
  put([hx, 0, 0]);
  return out;
}

function rotationOf(c: Cuboid): (v: [number, number, number]) => [number, number, number] {
  const q = c.rotation;
  if (q && isNum(q.qx) && isNum(q.qy) && isNum(q.qz) && isNum(q.qw) && (q.qx || q.qy || q.qz || q.qw)) {
    const len = Math.hypot(q.qx, q.qy, q.qz, q.qw);
    const x = q.qx / len, y = q.qy / len, z = q.qz / len, w = q.qw / len;
    return ([vx, vy, vz]) => {
      // v' = q v q*
      const ix = w * vx + y * vz - z * vy, iy = w * vy + z * vx - x * vz, iz = w * vz + x * vy - y * vx, iw = -x * vx - y * vy - z * vz;
      return [ix * w + iw * -x + iy * -z - iz * -y, iy * w + iw * -y + iz * -x - ix * -z, iz * w + iw * -z + ix * -y - iy * -x];
    };
  }
  const cos = Math.cos(c.yaw), sin = Math.sin(c.yaw);
  return ([vx, vy, vz]) => [vx * cos - vy * sin, vx * sin + vy * cos, vz];
}
