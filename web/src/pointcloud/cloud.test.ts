import { describe, expect, it } from "vitest";
import { annotationsOf, colorize, cuboidSegments, frameAnnotations, parseXYZI, pointcloudFrames, viewBounds, type Cuboid } from "./cloud";

/** A kitti / binary-xyzi file as a sensor writes it: little-endian float32 x, y, z, intensity. */
function xyziFile(points: number[][]): ArrayBuffer {
  const buf = new ArrayBuffer(points.length * 16);
  const view = new DataView(buf);
  points.forEach((p, i) => p.forEach((v, j) => view.setFloat32(i * 16 + j * 4, v, true)));
  return buf;
}

describe("parseXYZI (kitti, binary-xyzi)", () => {
  it("reads float32 x, y, z, intensity records", () => {
    const cloud = parseXYZI(xyziFile([[1.5, -2, 0.25, 0.5], [10, 20, 30, 255], [-0.125, 3, -1.75, 0]]));
    expect(cloud.count).toBe(3);
    expect(Array.from(cloud.positions)).toEqual([1.5, -2, 0.25, 10, 20, 30, -0.125, 3, -1.75]);
    expect(Array.from(cloud.intensity!)).toEqual([0.5, 255, 0]);
    expect(cloud.colors).toBeNull();
  });

  it("reads an empty file as no points", () => {
    expect(parseXYZI(new ArrayBuffer(0)).count).toBe(0);
  });

  it("rejects a file whose size is not a whole number of records, naming the format", () => {
    const bad = new ArrayBuffer(16 * 3 + 4);
    expect(() => parseXYZI(bad, "kitti")).toThrow(/not a kitti file.*52 bytes/);
  });

  it("drops points with a non-finite coordinate and keeps the rest in order", () => {
    const cloud = parseXYZI(xyziFile([[1, 2, 3, 4], [NaN, 0, 0, 1], [5, Infinity, 6, 7], [8, 9, 10, NaN]]));
    expect(cloud.count).toBe(2);
    expect(Array.from(cloud.positions)).toEqual([1, 2, 3, 8, 9, 10]);
    expect(Array.from(cloud.intensity!)).toEqual([4, 0]);
  });

  it("reads a large file (a 100,000-point scan) exactly", () => {
    const n = 100_000;
    const pts = Array.from({ length: n }, (_, i) => [i * 0.5, -i, i % 7, i % 256]);
    const cloud = parseXYZI(xyziFile(pts));
    expect(cloud.count).toBe(n);
    expect(cloud.positions[3 * 99_999]).toBe(49_999.5);
    expect(cloud.positions[3 * 99_999 + 1]).toBe(-99_999);
    expect(cloud.intensity![12_345]).toBe(12_345 % 256);
  });
});

describe("viewBounds and colorize", () => {
  it("ignores far outliers when framing the view", () => {
    const pts: number[][] = [];
    for (let i = 0; i < 1000; i++) pts.push([i % 10, (i * 7) % 10, (i * 3) % 5, 1]);
    pts.push([1e6, -1e6, 1e6, 1]);
    const b = viewBounds(parseXYZI(xyziFile(pts)).positions)!;
    expect(b.max[0]).toBeLessThanOrEqual(9);
    expect(b.min[1]).toBeGreaterThanOrEqual(0);
    expect(b.max[2]).toBeLessThanOrEqual(4);
    expect(viewBounds(new Float32Array(0))).toBeNull();
  });

  it("colours by intensity when it varies, else by height, with values in 0..1", () => {
    const cloud = parseXYZI(xyziFile([[0, 0, 0, 0], [0, 0, 0, 100], [0, 0, 0, 200]]));
    const c = colorize(cloud, viewBounds(cloud.positions));
    expect(c.length).toBe(9);
    expect(Array.from(c.slice(0, 3))).not.toEqual(Array.from(c.slice(6, 9)));
    const flat = parseXYZI(xyziFile([[0, 0, 0, 1], [0, 0, 5, 1]]));
    const h = colorize(flat, viewBounds(flat.positions));
    expect(Array.from(h.slice(0, 3))).not.toEqual(Array.from(h.slice(3, 6)));
    for (const v of [...c, ...h]) expect(v >= 0 && v <= 1).toBe(true);
  });
});

describe("point-cloud samples and labels", () => {
  it("finds the frames of pointcloud and pointcloud-sequence samples, and nothing in an image sample", () => {
    const pc = { pcd: { url: "/a.pcd", type: "pcd" }, ego_pose: null };
    expect(pointcloudFrames(pc)).toEqual([pc]);
    const seq = { frames: [{ pcd: { url: "/0.bin", type: "kitti" } }, { pcd: { url: "/1.bin", type: "kitti" }, name: "1" }] };
    expect(pointcloudFrames(seq)).toHaveLength(2);
    expect(pointcloudFrames({ image: { url: "/a.jpg" } })).toBeNull();
    expect(pointcloudFrames({ frames: [{ image: { url: "/a.jpg" } }] })).toBeNull();
    expect(pointcloudFrames(null)).toBeNull();
  });

  it("reads cuboids and 3-D vectors, per frame for sequences, and skips malformed ones", () => {
    const cuboid = { id: 1, category_id: 1, type: "cuboid", position: { x: 1, y: 2, z: 3 }, dimensions: { x: 4, y: 2, z: 1.5 }, yaw: 0.3 };
    const line = { id: 2, category_id: 2, type: "polyline", points: [[0, 0, 0], [1, 1, 0]] };
    const broken = { id: 3, category_id: 1, type: "cuboid", position: { x: 1 } };
    expect(annotationsOf({ annotations: [cuboid, line, broken] }).map((a) => a.id)).toEqual([1, 2]);
    const seq = { frames: [{ annotations: [] }, { annotations: [{ ...cuboid, track_id: 7 }] }] };
    expect(frameAnnotations(seq, 0)).toEqual([]);
    expect(frameAnnotations(seq, 1)[0]).toMatchObject({ id: 1, track_id: 7 });
    expect(frameAnnotations({ annotations: [cuboid] }, 0)).toHaveLength(1);
    expect(frameAnnotations(null, 0)).toEqual([]);
  });

  it("draws a cuboid's edges at its position, turned by yaw, and the same with an equal quaternion", () => {
    const c: Cuboid = { id: 1, category_id: 1, type: "cuboid", position: { x: 10, y: 0, z: 1 }, dimensions: { x: 4, y: 2, z: 2 }, yaw: Math.PI / 2 };
    const seg = cuboidSegments(c);
    expect(seg.length).toBe(13 * 2 * 3);
    // every corner lies at x = 10 ± 1, y = ±2 (the 4 m length now points along y), z = 0 or 2
    for (let i = 0; i < 24; i++) {
      expect(Math.abs(Math.abs(seg[i * 3] - 10) - 1)).toBeLessThan(1e-6);
      expect(Math.abs(Math.abs(seg[i * 3 + 1]) - 2)).toBeLessThan(1e-6);
      expect([0, 2].some((z) => Math.abs(seg[i * 3 + 2] - z) < 1e-6)).toBe(true);
    }
    // the heading segment goes from the centre to the front face, now at +y
    expect(Array.from(seg.slice(72, 78)).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([10, 0, 1, 10, 2, 1]);
    const q = { qx: 0, qy: 0, qz: Math.sin(Math.PI / 4), qw: Math.cos(Math.PI / 4) };
    const withQuat = cuboidSegments({ ...c, yaw: 0, rotation: q });
    for (let i = 0; i < seg.length; i++) expect(withQuat[i]).toBeCloseTo(seg[i], 5);
  });
});
