import type { CategoryDef } from "../types";

// A fixed palette for categories without a colour of their own (distinct, readable on photos).
const PALETTE: [number, number, number][] = [
  [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48], [145, 30, 180],
  [70, 240, 240], [240, 50, 230], [210, 245, 60], [250, 190, 212], [0, 128, 128], [220, 190, 255],
];

export function categoryColor(categories: CategoryDef[], id: number): [number, number, number] {
  const idx = categories.findIndex((c) => c.id === id);
  const c = idx >= 0 ? categories[idx].color : undefined;
  if (c && c.length >= 3) return [c[0], c[1], c[2]];
  return PALETTE[(idx >= 0 ? idx : Math.abs(id)) % PALETTE.length];
}

export const rgb = (c: [number, number, number], a = 1) => `rgba(${c[0]},${c[1]},${c[2]},${a})`;
