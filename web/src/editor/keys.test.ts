import { describe, expect, it } from "vitest";
import { actionFor, KEYS, shortcutsOf } from "./keys";

const key = (k: string, mods: Partial<KeyboardEvent> = {}) =>
  ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods }) as KeyboardEvent;

describe("shortcuts", () => {
  it("maps tool keys, categories and modified keys without clashes", () => {
    expect(actionFor(key("r"))).toEqual({ action: "tool:bbox" });
    expect(actionFor(key("R"))).toEqual({ action: "tool:bbox" });
    expect(actionFor(key("3"))).toEqual({ action: "category", arg: 2 });
    expect(actionFor(key("z", { ctrlKey: true }))).toEqual({ action: "undo" });
    expect(actionFor(key("Z", { ctrlKey: true, shiftKey: true }))).toEqual({ action: "redo" });
    expect(actionFor(key("z", { metaKey: true }))).toEqual({ action: "undo" }); // ⌘ on macOS
    expect(actionFor(key("Enter", { ctrlKey: true }))).toEqual({ action: "submit" });
    expect(actionFor(key("ArrowRight", { ctrlKey: true }))).toEqual({ action: "next" });
    expect(actionFor(key("ArrowRight"))).toEqual({ action: "nudge" });
    expect(actionFor(key("s"))).toBeNull(); // plain S does nothing; Ctrl+S saves
    expect(actionFor(key("1", { altKey: true }))).toBeNull();
  });

  it("feeds aria-keyshortcuts and the help dialog from one table", () => {
    expect(shortcutsOf("tool:bbox")).toBe("R");
    expect(shortcutsOf("undo")).toBe("Control+Z Meta+Z");
    const tools = KEYS.filter((k) => k.action.startsWith("tool:")).flatMap((k) => k.keys);
    expect(new Set(tools).size).toBe(tools.length);
  });
});
