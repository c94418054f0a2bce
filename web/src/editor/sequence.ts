// Image sequences (task type image-vector-sequence; segments-api.md §9.1 ImageSequenceSampleAttributes, §9.2
// ImageSequenceVectorLabelAttributes). The editor holds one frame at a time; this model keeps every frame's
// objects, swaps frames in and out of the editor, gives new objects a track id unused in the whole sequence,
// and encodes all frames for the one PUT of the label. Objects keep their track ids through every edit.

import { decodeLabel, encodeLabel, type EditorLabel } from "./labels";

export interface ImageFrame {
  image: { url: string };
  name?: string;
  timestamp?: unknown;
}

/** The frames of an image-sequence sample, or null if the sample is not one. */
export function imageFrames(sampleAttributes: unknown): ImageFrame[] | null {
  const frames = (sampleAttributes as { frames?: unknown } | null)?.frames;
  if (!Array.isArray(frames) || frames.length === 0) return null;
  const ok = frames.every((f) => f && typeof f === "object" && typeof (f as ImageFrame).image?.url === "string");
  return ok ? (frames as ImageFrame[]) : null;
}

type Json = Record<string, unknown>;

export class SequenceLabel {
  /** per frame: objects and image attributes */
  frames: EditorLabel[];
  /** per frame: keys of the stored frame the editor does not know (timestamp, …), written back unchanged */
  private extras: Json[];
  index = 0;

  constructor(frameCount: number, attributes: unknown) {
    const stored = (attributes as { frames?: unknown } | null)?.frames;
    const list = Array.isArray(stored) ? (stored as Json[]) : [];
    this.frames = [];
    this.extras = [];
    for (let i = 0; i < frameCount; i++) {
      const f = list[i] && typeof list[i] === "object" ? list[i] : {};
      this.frames.push(decodeLabel("image-vector-sequence", f).label);
      const { annotations: _a, image_attributes: _b, format_version: _c, ...rest } = f;
      this.extras.push(rest);
    }
  }

  /** A track id no object of any frame uses yet. */
  nextTrackId(current: EditorLabel | null = null): number {
    let max = 0;
    this.frames.forEach((f, i) => {
      const objects = i === this.index && current ? current.objects : f.objects;
      for (const o of objects) max = Math.max(max, o.track_id ?? 0);
    });
    return max + 1;
  }

  /** The whole label for PUT /labels/…: every frame, the current one taken from ``current``. */
  encode(current: EditorLabel): Json {
    this.frames[this.index] = current;
    return {
      format_version: "0.1",
      frames: this.frames.map((f, i) => {
        const { annotations, image_attributes } = encodeLabel("image-vector-sequence", f);
        return { ...this.extras[i], format_version: "0.1", annotations, ...(image_attributes ? { image_attributes } : {}) };
      }),
    };
  }
}
