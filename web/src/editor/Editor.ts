// The editor's state: objects, selection, tool, category, view, mask id buffer, and undo/redo. One store
// outside React: the canvas redraws from it every frame it changes, React panels re-render on `version`.
// Objects are immutable values; an undo step keeps the object arrays before and after (shared structure, so
// 100+ steps of 1,000 boxes cost little) and, for mask strokes, the touched rectangle's ids before and after.

import { nextId, type EditorLabel, type EditorObject, type ShapeType } from "./labels";
import { IdBuffer, type Rect } from "./mask";
import type { Pt, View } from "./geometry";

export type Tool = "select" | "pan" | "bbox" | "polygon" | "polyline" | "point" | "brush" | "eraser";

interface Step {
  objects: [EditorObject[], EditorObject[]];
  imageAttributes: [Record<string, unknown>, Record<string, unknown>];
  mask?: { rect: Rect; before: Uint32Array; after: Uint32Array };
}

export const UNDO_LIMIT = 200;

export class Editor {
  objects: EditorObject[] = [];
  imageAttributes: Record<string, unknown> = {};
  selectedId: number | null = null;
  tool: Tool = "select";
  categoryId = 1;
  brushSize = 12;
  view: View = { scale: 1, tx: 0, ty: 0 };
  imageW = 0;
  imageH = 0;
  mask: IdBuffer | null = null;
  /** Points of the polygon / polyline being drawn (image pixels). */
  drawing: Pt[] | null = null;
  readOnly = false;
  /** Extra fields for every new object (image sequences: a fresh track id). */
  newObjectExtras: (() => Partial<EditorObject>) | null = null;

  version = 0; // bumps on any change React shows
  editVersion = 0; // bumps on any change to the label itself
  private undoStack: Step[] = [];
  private redoStack: Step[] = [];
  private listeners = new Set<() => void>();

  subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getVersion = () => this.version;

  private redrawListeners = new Set<() => void>();

  /** Canvas-only listeners: told of every change, including those mid-drag that panels need not see. */
  onRedraw(fn: () => void): () => void {
    this.redrawListeners.add(fn);
    return () => this.redrawListeners.delete(fn);
  }

  redraw(): void {
    for (const fn of this.redrawListeners) fn();
  }

  changed(edit = false): void {
    this.version++;
    if (edit) this.editVersion++;
    for (const fn of this.listeners) fn();
    this.redraw();
  }

  load(label: EditorLabel, w: number, h: number, mask: IdBuffer | null): void {
    this.objects = label.objects;
    this.imageAttributes = label.imageAttributes;
    this.imageW = w;
    this.imageH = h;
    this.mask = mask;
    this.selectedId = null;
    this.undoStack = [];
    this.redoStack = [];
    this.changed();
  }

  label(): EditorLabel {
    return { objects: this.objects, imageAttributes: this.imageAttributes };
  }

  get selected(): EditorObject | undefined {
    return this.selectedId == null ? undefined : this.objects.find((o) => o.id === this.selectedId);
  }

  canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  private push(step: Step): void {
    this.undoStack.push(step);
    if (this.undoStack.length > UNDO_LIMIT) this.undoStack.shift();
    this.redoStack = [];
  }

  /** Replace the objects (and image attributes) as one undoable edit. */
  commit(objects: EditorObject[], imageAttributes = this.imageAttributes): void {
    if (this.readOnly) return;
    this.push({ objects: [this.objects, objects], imageAttributes: [this.imageAttributes, imageAttributes] });
    this.objects = objects;
    this.imageAttributes = imageAttributes;
    if (this.selectedId != null && !objects.some((o) => o.id === this.selectedId)) this.selectedId = null;
    this.changed(true);
  }

  add(type: ShapeType, points: Pt[]): EditorObject {
    const obj: EditorObject = { id: nextId(this.objects), category_id: this.categoryId, type, points, ...this.newObjectExtras?.() };
    this.commit([...this.objects, obj]);
    this.selectedId = obj.id;
    this.changed();
    return obj;
  }

  update(id: number, patch: Partial<EditorObject>): void {
    this.commit(this.objects.map((o) => (o.id === id ? { ...o, ...patch } : o)));
  }

  remove(id: number): void {
    if (this.mask && this.objects.find((o) => o.id === id)?.type === "mask") {
      // the object's pixels go with it, in the same undo step
      this.beginMaskEdit();
      for (let i = 0; i < this.mask.ids.length; i++) if (this.mask.ids[i] === id) this.extendMaskEdit(this.mask.ids, i);
      this.endMaskEdit(this.objects.filter((o) => o.id !== id));
      return;
    }
    this.commit(this.objects.filter((o) => o.id !== id));
  }

  setCategory(categoryId: number): void {
    this.categoryId = categoryId;
    const sel = this.selected;
    if (sel && sel.category_id !== categoryId && !this.readOnly) this.update(sel.id, { category_id: categoryId, attributes: undefined });
    else this.changed();
  }

  // --- mask edits: a stroke is one undo step -------------------------------------------------------------
  private maskStrokeRect: Rect | null = null;
  private maskBefore: Uint32Array | null = null;

  beginMaskEdit(): void {
    if (!this.mask) return;
    this.maskBefore = this.mask.ids.slice();
    this.maskStrokeRect = null;
  }

  /** Grow the edit's rectangle to include pixel index ``i`` (used by whole-object deletes). */
  extendMaskEdit(ids: Uint32Array, i: number): void {
    if (!this.mask) return;
    const x = i % this.mask.width;
    const y = (i - x) / this.mask.width;
    ids[i] = 0;
    const r = this.maskStrokeRect;
    if (!r) this.maskStrokeRect = { x, y, w: 1, h: 1 };
    else {
      const x0 = Math.min(r.x, x), y0 = Math.min(r.y, y);
      this.maskStrokeRect = { x: x0, y: y0, w: Math.max(r.x + r.w, x + 1) - x0, h: Math.max(r.y + r.h, y + 1) - y0 };
    }
  }

  touchMask(r: Rect | null): void {
    if (!r) return;
    const a = this.maskStrokeRect;
    if (!a) this.maskStrokeRect = r;
    else {
      const x = Math.min(a.x, r.x), y = Math.min(a.y, r.y);
      this.maskStrokeRect = { x, y, w: Math.max(a.x + a.w, r.x + r.w) - x, h: Math.max(a.y + a.h, r.y + r.h) - y };
    }
    this.redraw();
  }

  /** End a stroke: one undo step holding the touched rectangle before and after, plus object changes. */
  endMaskEdit(objects: EditorObject[] = this.objects): void {
    const m = this.mask;
    const before = this.maskBefore;
    const rect = this.maskStrokeRect;
    this.maskBefore = null;
    this.maskStrokeRect = null;
    if (!m || !before) return;
    // objects whose last pixel went away are removed with the stroke
    let next = objects;
    if (rect) {
      const used = m.usedIds();
      next = objects.filter((o) => o.type !== "mask" || used.has(o.id));
    }
    if (!rect && next === this.objects) return;
    const r = rect ?? { x: 0, y: 0, w: 0, h: 0 };
    const beforeRect = new IdBuffer(m.width, m.height, before).snapshot(r);
    this.push({
      objects: [this.objects, next],
      imageAttributes: [this.imageAttributes, this.imageAttributes],
      mask: { rect: r, before: beforeRect, after: m.snapshot(r) },
    });
    this.objects = next;
    if (this.selectedId != null && !next.some((o) => o.id === this.selectedId)) this.selectedId = null;
    this.changed(true);
  }

  undo(): void {
    const step = this.undoStack.pop();
    if (!step) return;
    this.redoStack.push(step);
    this.apply(step, 0);
  }

  redo(): void {
    const step = this.redoStack.pop();
    if (!step) return;
    this.undoStack.push(step);
    this.apply(step, 1);
  }

  private apply(step: Step, side: 0 | 1): void {
    this.objects = step.objects[side];
    this.imageAttributes = step.imageAttributes[side];
    if (step.mask && this.mask) this.mask.restore(step.mask.rect, side ? step.mask.after : step.mask.before);
    if (this.selectedId != null && !this.objects.some((o) => o.id === this.selectedId)) this.selectedId = null;
    this.drawing = null;
    this.changed(true);
  }
}
