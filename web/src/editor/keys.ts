// One key table: it drives the shortcuts, the help dialog and every aria-keyshortcuts attribute.

export interface KeyDef {
  action: string;
  keys: string[]; // aria-keyshortcuts syntax
  help: string;
}

export const KEYS: KeyDef[] = [
  { action: "tool:select", keys: ["V", "Escape"], help: "Select tool (Esc also cancels a drawing)" },
  { action: "tool:pan", keys: ["H"], help: "Pan tool (or hold Space)" },
  { action: "tool:bbox", keys: ["R"], help: "Bounding box" },
  { action: "tool:polygon", keys: ["P"], help: "Polygon" },
  { action: "tool:polyline", keys: ["L"], help: "Polyline" },
  { action: "tool:point", keys: ["K"], help: "Point" },
  { action: "tool:brush", keys: ["B"], help: "Brush" },
  { action: "tool:eraser", keys: ["E"], help: "Eraser" },
  { action: "category", keys: ["1", "2", "3", "4", "5", "6", "7", "8", "9"], help: "Pick one of the first nine categories" },
  { action: "brush:smaller", keys: ["["], help: "Smaller brush" },
  { action: "brush:bigger", keys: ["]"], help: "Bigger brush" },
  { action: "undo", keys: ["Control+Z", "Meta+Z"], help: "Undo" },
  { action: "redo", keys: ["Control+Shift+Z", "Control+Y", "Meta+Shift+Z"], help: "Redo" },
  { action: "save", keys: ["Control+S", "Meta+S"], help: "Save now" },
  { action: "submit", keys: ["Control+Enter", "Meta+Enter"], help: "Submit (Accept when reviewing)" },
  { action: "next", keys: ["Control+ArrowRight", "Meta+ArrowRight"], help: "Next sample" },
  { action: "previous", keys: ["Control+ArrowLeft", "Meta+ArrowLeft"], help: "Previous sample" },
  { action: "frame:previous", keys: [","], help: "Previous frame (image sequences)" },
  { action: "frame:next", keys: ["."], help: "Next frame (image sequences)" },
  { action: "delete", keys: ["Delete", "Backspace"], help: "Delete the selected object (Backspace removes the last point while drawing)" },
  { action: "nudge", keys: ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"], help: "Move the selected object 1 px (Shift: 10 px)" },
  { action: "fit", keys: ["F"], help: "Fit the image in view" },
  { action: "zoom:in", keys: ["+"], help: "Zoom in" },
  { action: "zoom:out", keys: ["-"], help: "Zoom out" },
  { action: "finish", keys: ["Enter"], help: "Close the polygon / finish the polyline" },
  { action: "help", keys: ["?"], help: "This list" },
];

export const shortcutsOf = (action: string) => KEYS.find((k) => k.action === action)?.keys.join(" ") ?? "";

/** The action of a keydown, or null. */
export function actionFor(e: KeyboardEvent): { action: string; arg?: number } | null {
  const mod = e.ctrlKey || e.metaKey;
  const k = e.key;
  if (mod) {
    const lower = k.toLowerCase();
    if (lower === "z") return { action: e.shiftKey ? "redo" : "undo" };
    if (lower === "y") return { action: "redo" };
    if (lower === "s") return { action: "save" };
    if (k === "Enter") return { action: "submit" };
    if (k === "ArrowRight") return { action: "next" };
    if (k === "ArrowLeft") return { action: "previous" };
    return null;
  }
  if (e.altKey) return null;
  if (/^[1-9]$/.test(k)) return { action: "category", arg: Number(k) - 1 };
  const single: Record<string, string> = {
    v: "tool:select", h: "tool:pan", r: "tool:bbox", p: "tool:polygon", l: "tool:polyline", k: "tool:point",
    b: "tool:brush", e: "tool:eraser", f: "fit", "[": "brush:smaller", "]": "brush:bigger", "+": "zoom:in", "=": "zoom:in",
    "-": "zoom:out", "?": "help", ",": "frame:previous", ".": "frame:next", Escape: "escape", Delete: "delete", Backspace: "delete", Enter: "finish",
    ArrowLeft: "nudge", ArrowRight: "nudge", ArrowUp: "nudge", ArrowDown: "nudge",
  };
  const a = single[k.length === 1 ? k.toLowerCase() : k] ?? single[k];
  return a ? { action: a } : null;
}
