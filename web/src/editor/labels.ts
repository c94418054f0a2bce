// The editor's objects and their REST encoding (segments-api.md §9.2; webapp contract "Persistence").

import { round2, type Pt } from "./geometry";

export type ShapeType = "bbox" | "polygon" | "polyline" | "point" | "mask";

export interface EditorObject {
  id: number;
  category_id: number;
  type: ShapeType;
  points: Pt[]; // image pixels; [] for mask objects (their pixels live in the id buffer)
  attributes?: Record<string, unknown>;
  /** image sequences: the object's track across frames, and whether this frame is one of its keyframes */
  track_id?: number;
  is_keyframe?: boolean;
}

export interface EditorLabel {
  objects: EditorObject[];
  imageAttributes: Record<string, unknown>;
}

export const VECTOR_TASKS = ["bboxes", "vector", "keypoints"];
export const SEQUENCE_TASKS = ["image-vector-sequence"];
export const MASK_TASKS = ["segmentation-bitmap", "segmentation-bitmap-highres"];

export function isMaskTask(taskType: string): boolean {
  return MASK_TASKS.includes(taskType);
}

/** The tools a task type allows (contract: only those valid for the task type). */
export function toolsFor(taskType: string): string[] {
  const draw: Record<string, string[]> = {
    bboxes: ["bbox"],
    vector: ["bbox", "polygon", "polyline", "point"],
    "image-vector-sequence": ["bbox", "polygon", "polyline", "point"],
    keypoints: ["point"],
    "segmentation-bitmap": ["polygon", "brush", "eraser"],
    "segmentation-bitmap-highres": ["polygon", "brush", "eraser"],
  };
  return ["select", "pan", ...(draw[taskType] ?? [])];
}

export function nextId(objects: { id: number }[]): number {
  return objects.reduce((m, o) => Math.max(m, o.id), 0) + 1;
}

/** Is this object's geometry valid for storing? (bbox non-empty, polygon >= 3 points, polyline >= 2.) */
export function isComplete(o: EditorObject): boolean {
  switch (o.type) {
    case "bbox":
      return o.points.length === 2 && o.points[1][0] > o.points[0][0] && o.points[1][1] > o.points[0][1];
    case "polygon":
      return o.points.length >= 3;
    case "polyline":
      return o.points.length >= 2;
    case "point":
      return o.points.length === 1;
    case "mask":
      return true;
  }
}

type Json = Record<string, unknown>;

/** Label attributes for PUT /labels/{uuid}/{labelset}/. ``maskUrl`` for segmentation tasks. */
export function encodeLabel(taskType: string, label: EditorLabel, maskUrl?: string | null): Json {
  const out: Json = { format_version: "0.1" };
  const attrs = (o: EditorObject) => ({
    ...(o.attributes && Object.keys(o.attributes).length ? { attributes: o.attributes } : {}),
    ...(o.track_id != null ? { track_id: o.track_id } : {}),
    ...(o.is_keyframe != null ? { is_keyframe: o.is_keyframe } : {}),
  });
  if (isMaskTask(taskType)) {
    out.annotations = label.objects.map((o) => ({ id: o.id, category_id: o.category_id, ...attrs(o) }));
    out.segmentation_bitmap = { url: maskUrl ?? null };
  } else {
    out.annotations = label.objects
      .filter(isComplete)
      .map((o) => ({
        id: o.id,
        category_id: o.category_id,
        type: o.type,
        points: o.points.map(([x, y]) => [round2(x), round2(y)]),
        ...attrs(o),
      }));
  }
  if (Object.keys(label.imageAttributes).length) out.image_attributes = label.imageAttributes;
  return out;
}

/** The editor's view of stored label attributes (tolerant: unknown shapes are dropped, never crash). */
export function decodeLabel(taskType: string, attributes: unknown): { label: EditorLabel; maskUrl: string | null } {
  const a = (attributes && typeof attributes === "object" ? attributes : {}) as Json;
  const anns = Array.isArray(a.annotations) ? (a.annotations as Json[]) : [];
  const imageAttributes = (a.image_attributes && typeof a.image_attributes === "object" ? a.image_attributes : {}) as Json;
  const mask = isMaskTask(taskType);
  const objects: EditorObject[] = [];
  for (const ann of anns) {
    if (!ann || typeof ann !== "object" || typeof ann.id !== "number" || typeof ann.category_id !== "number") continue;
    const base = {
      id: ann.id,
      category_id: ann.category_id,
      ...(ann.attributes && typeof ann.attributes === "object" ? { attributes: ann.attributes as Json } : {}),
      ...(typeof ann.track_id === "number" ? { track_id: ann.track_id } : {}),
      ...(typeof ann.is_keyframe === "boolean" ? { is_keyframe: ann.is_keyframe } : {}),
    };
    if (mask) {
      objects.push({ ...base, type: "mask", points: [] });
      continue;
    }
    const type = ann.type as ShapeType;
    const pts = Array.isArray(ann.points) ? (ann.points as unknown[]) : [];
    const points = pts
      .filter((p): p is number[] => Array.isArray(p) && p.length >= 2 && typeof p[0] === "number" && typeof p[1] === "number")
      .map((p) => [p[0], p[1]] as Pt);
    if (!["bbox", "polygon", "polyline", "point"].includes(type)) continue;
    objects.push({ ...base, type, points });
  }
  const seg = a.segmentation_bitmap as Json | undefined;
  const maskUrl = mask && seg && typeof seg.url === "string" ? seg.url : null;
  return { label: { objects, imageAttributes }, maskUrl };
}
