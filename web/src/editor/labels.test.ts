import { describe, expect, it } from "vitest";
import { decodeLabel, encodeLabel, nextId, toolsFor, type EditorLabel } from "./labels";

describe("label encoding", () => {
  const label: EditorLabel = {
    objects: [
      { id: 1, category_id: 2, type: "bbox", points: [[10.123, 20], [30, 40.456]], attributes: { occluded: true } },
      { id: 3, category_id: 1, type: "polygon", points: [[0, 0], [10, 0], [5, 8]] },
      { id: 4, category_id: 1, type: "polyline", points: [[1, 1], [2, 2]] },
      { id: 7, category_id: 1, type: "point", points: [[3, 4]] },
      { id: 8, category_id: 1, type: "polygon", points: [[0, 0], [1, 1]] }, // unfinished: not stored
    ],
    imageAttributes: { weather: "rain" },
  };

  it("writes the vector format of segments-api §9.2", () => {
    const out = encodeLabel("vector", label);
    expect(out).toEqual({
      format_version: "0.1",
      image_attributes: { weather: "rain" },
      annotations: [
        { id: 1, category_id: 2, type: "bbox", points: [[10.12, 20], [30, 40.46]], attributes: { occluded: true } },
        { id: 3, category_id: 1, type: "polygon", points: [[0, 0], [10, 0], [5, 8]] },
        { id: 4, category_id: 1, type: "polyline", points: [[1, 1], [2, 2]] },
        { id: 7, category_id: 1, type: "point", points: [[3, 4]] },
      ],
    });
  });

  it("round-trips through decode", () => {
    const stored = JSON.parse(JSON.stringify(encodeLabel("vector", label)));
    const { label: back } = decodeLabel("vector", stored);
    expect(back.objects.map((o) => o.id)).toEqual([1, 3, 4, 7]);
    expect(back.objects[0].attributes).toEqual({ occluded: true });
    expect(encodeLabel("vector", back)).toEqual(stored);
  });

  it("writes segmentation labels as annotations plus the bitmap URL", () => {
    const seg: EditorLabel = { objects: [{ id: 1, category_id: 5, type: "mask", points: [] }], imageAttributes: {} };
    expect(encodeLabel("segmentation-bitmap", seg, "http://h/files/m.png")).toEqual({
      format_version: "0.1",
      annotations: [{ id: 1, category_id: 5 }],
      segmentation_bitmap: { url: "http://h/files/m.png" },
    });
    const back = decodeLabel("segmentation-bitmap", { annotations: [{ id: 1, category_id: 5 }], segmentation_bitmap: { url: "u" } });
    expect(back.maskUrl).toBe("u");
    expect(back.label.objects[0].type).toBe("mask");
  });

  it("tolerates junk in stored labels", () => {
    const { label: l } = decodeLabel("vector", { annotations: [{ id: "x" }, { id: 2, category_id: 1, type: "circle", points: [] }, null] });
    expect(l.objects).toEqual([]);
    expect(decodeLabel("bboxes", null).label.objects).toEqual([]);
  });

  it("new ids are max + 1, never reused", () => {
    expect(nextId([{ id: 4 }, { id: 9 }, { id: 2 }])).toBe(10);
    expect(nextId([])).toBe(1);
  });

  it("offers only the tools of the task type", () => {
    expect(toolsFor("bboxes")).toEqual(["select", "pan", "bbox"]);
    expect(toolsFor("segmentation-bitmap")).toContain("brush");
    expect(toolsFor("keypoints")).not.toContain("bbox");
  });
});
