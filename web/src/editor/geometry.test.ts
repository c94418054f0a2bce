import { describe, expect, it } from "vitest";
import { boxFrom, fitView, panBy, toImage, toScreen, zoomAt, type Pt } from "./geometry";

describe("screen <-> image transforms", () => {
  it("round-trips points under any zoom and pan", () => {
    let v = fitView(4000, 3000, 1200, 800);
    v = zoomAt(v, 3.7, [300, 200]);
    v = panBy(v, -123.5, 47);
    for (const p of [[0, 0], [4000, 3000], [1234.5, 987.25]] as Pt[]) {
      const back = toImage(v, toScreen(v, p));
      expect(back[0]).toBeCloseTo(p[0], 9);
      expect(back[1]).toBeCloseTo(p[1], 9);
    }
  });

  it("fits the whole image in view, centred, aspect kept", () => {
    const v = fitView(4000, 3000, 1016, 532, 8);
    expect(v.scale).toBeCloseTo(516 / 3000, 12); // height-limited
    const [x0, y0] = toScreen(v, [0, 0]);
    const [x1, y1] = toScreen(v, [4000, 3000]);
    expect(y0).toBeCloseTo(8);
    expect(y1).toBeCloseTo(524);
    expect(x0).toBeGreaterThanOrEqual(8);
    expect(x1).toBeLessThanOrEqual(1008);
    expect((x0 + x1) / 2).toBeCloseTo(508);
    expect((x1 - x0) / (y1 - y0)).toBeCloseTo(4 / 3, 9);
  });

  it("zooms around the pointer: the image point under it stays put", () => {
    const v = { scale: 0.5, tx: 10, ty: 20 };
    const anchor: Pt = [333, 222];
    const before = toImage(v, anchor);
    for (const f of [2, 0.25, 1.1]) {
      const after = toImage(zoomAt(v, f, anchor), anchor);
      expect(after[0]).toBeCloseTo(before[0], 9);
      expect(after[1]).toBeCloseTo(before[1], 9);
    }
  });

  it("clamps zoom to its limits", () => {
    expect(zoomAt({ scale: 1, tx: 0, ty: 0 }, 1e9, [0, 0]).scale).toBe(64);
    expect(zoomAt({ scale: 1, tx: 0, ty: 0 }, 1e-9, [0, 0]).scale).toBe(0.01);
  });

  it("makes boxes ordered and clamped to the image", () => {
    expect(boxFrom([50, 80], [-10, 20], 40, 60)).toEqual([[0, 20], [40, 60]]);
  });
});
