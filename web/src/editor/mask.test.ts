import { describe, expect, it } from "vitest";
import { IdBuffer, idsToRgba, rgbaToIds } from "./mask";

describe("mask encoder", () => {
  it("encodes id = R + 256 G + 65536 B with opaque alpha, and decodes back", () => {
    const ids = new Uint32Array([0, 1, 255, 256, 65535, 65536, 0xabcdef]);
    const rgba = idsToRgba(ids);
    expect(Array.from(rgba.slice(0, 8))).toEqual([0, 0, 0, 255, 1, 0, 0, 255]);
    expect(Array.from(rgba.slice(12, 16))).toEqual([0, 1, 0, 255]); // 256
    expect(Array.from(rgba.slice(24, 28))).toEqual([0xef, 0xcd, 0xab, 255]);
    expect(Array.from(rgbaToIds(rgba))).toEqual(Array.from(ids));
  });

  it("paints discs without antialiasing: every pixel is one id or untouched", () => {
    const b = new IdBuffer(20, 20);
    b.paintDisc(10, 10, 4, 3);
    const values = new Set(b.ids);
    expect(values).toEqual(new Set([0, 3]));
    expect(b.ids[10 * 20 + 10]).toBe(3);
    expect(b.ids[0]).toBe(0);
    const painted = b.ids.filter((v) => v === 3).length;
    expect(painted).toBeGreaterThan(Math.PI * 3.5 * 3.5);
    expect(painted).toBeLessThan(Math.PI * 4.5 * 4.5);
  });

  it("erases with id 0 and clips at the image border", () => {
    const b = new IdBuffer(10, 10);
    b.paintLine(-5, 5, 15, 5, 2, 7);
    expect(b.ids[5 * 10 + 0]).toBe(7);
    expect(b.ids[5 * 10 + 9]).toBe(7);
    b.paintDisc(5, 5, 3, 0);
    expect(b.ids[5 * 10 + 5]).toBe(0);
    expect(b.ids[5 * 10 + 0]).toBe(7);
  });

  it("fills polygons over pixel centres", () => {
    const b = new IdBuffer(10, 10);
    b.fillPolygon([[2, 2], [8, 2], [8, 8], [2, 8]], 4);
    expect(b.ids.filter((v) => v === 4).length).toBe(36);
    expect(b.usedIds()).toEqual(new Set([4]));
  });

  it("snapshots and restores a rectangle (undo of a stroke)", () => {
    const b = new IdBuffer(8, 8);
    const rect = { x: 1, y: 1, w: 4, h: 4 };
    const before = b.snapshot(rect);
    b.paintDisc(3, 3, 2, 9);
    expect(b.usedIds().has(9)).toBe(true);
    b.restore(rect, before);
    expect(b.usedIds().size).toBe(0);
  });
});
