import { describe, expect, it } from "vitest";
import { imageFrames, SequenceLabel } from "./sequence";

const stored = {
  format_version: "0.1",
  frames: [
    { format_version: "0.1", timestamp: 100, annotations: [
      { id: 1, category_id: 1, type: "bbox", points: [[10, 10], [50, 40]], track_id: 7, is_keyframe: true },
      { id: 2, category_id: 2, type: "point", points: [[5, 6]], track_id: 3 }] },
    { format_version: "0.1", timestamp: 200, annotations: [
      { id: 1, category_id: 1, type: "bbox", points: [[12, 10], [52, 40]], track_id: 7, is_keyframe: false }],
      image_attributes: { weather: "rain" } },
  ],
};

describe("image sequences", () => {
  it("finds the frames of an image-sequence sample only", () => {
    expect(imageFrames({ frames: [{ image: { url: "/a.jpg" } }, { image: { url: "/b.jpg" }, name: "b" }] })).toHaveLength(2);
    expect(imageFrames({ image: { url: "/a.jpg" } })).toBeNull();
    expect(imageFrames({ frames: [] })).toBeNull();
    expect(imageFrames({ frames: [{ pcd: { url: "/a.pcd", type: "pcd" } }] })).toBeNull();
  });

  it("round-trips every frame with its track ids, keyframe flags, timestamps and image attributes", () => {
    const seq = new SequenceLabel(2, stored);
    expect(seq.frames[0].objects.map((o) => o.track_id)).toEqual([7, 3]);
    expect(seq.encode(seq.frames[0])).toEqual(stored);
  });

  it("pads a label with fewer frames than the sample, and encodes the frame being edited", () => {
    const seq = new SequenceLabel(3, stored);
    expect(seq.frames[2].objects).toEqual([]);
    seq.index = 2;
    const edited = { objects: [{ id: 1, category_id: 1, type: "bbox" as const, points: [[1, 1], [9, 9]] as [number, number][], track_id: 8 }], imageAttributes: {} };
    const out = seq.encode(edited) as { frames: { annotations: { track_id: number }[] }[] };
    expect(out.frames).toHaveLength(3);
    expect(out.frames[2].annotations).toEqual([{ id: 1, category_id: 1, type: "bbox", points: [[1, 1], [9, 9]], track_id: 8 }]);
    expect(out.frames[0].annotations.map((a) => a.track_id)).toEqual([7, 3]);
  });

  it("gives a new object a track id unused in every frame, counting the frame being edited", () => {
    const seq = new SequenceLabel(2, stored);
    expect(seq.nextTrackId()).toBe(8);
    seq.index = 1;
    const current = { objects: [{ id: 2, category_id: 1, type: "point" as const, points: [[0, 0]] as [number, number][], track_id: 20 }], imageAttributes: {} };
    expect(seq.nextTrackId(current)).toBe(21);
    expect(new SequenceLabel(2, null).nextTrackId()).toBe(1);
  });
});
