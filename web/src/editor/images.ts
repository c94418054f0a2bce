// Loading images for the canvas: decoded, with a downscaled preview for big images, and a small cache of images
// decoded ahead of time (the next sample while the user works; the sample a route is about to open while the
// workspace code is still loading). Lives in the main chunk: it is small and the router warms it.

import type { CanvasImage } from "./Canvas";

export async function loadImage(url: string): Promise<CanvasImage> {
  const img = new Image();
  img.decoding = "async";
  img.src = url;
  await img.decode();
  const w = img.naturalWidth, h = img.naturalHeight;
  let preview: ImageBitmap | null = null;
  let previewW = 0;
  const long = Math.max(w, h);
  if (long > 2048) {
    const k = 2048 / long;
    previewW = Math.round(w * k);
    preview = await createImageBitmap(img, { resizeWidth: previewW, resizeHeight: Math.round(h * k), resizeQuality: "medium" });
  }
  return { full: img, preview, previewW, width: w, height: h };
}

// Images decoded ahead of time (the next sample while the user works), ready to draw: the full image and its
// preview bitmap. Few entries: a decoded 4000×3000 image holds ~48 MB.
const PREFETCHED_MAX = 2;
const prefetched = new Map<string, Promise<CanvasImage>>();

/** Decodes ``url`` into the cache (most recent last), unless it is there already. */
export function prefetchImage(url: string): Promise<CanvasImage> {
  const have = prefetched.get(url);
  if (have) {
    prefetched.delete(url); // most recently used goes last
    prefetched.set(url, have);
    return have;
  }
  const p = loadImage(url);
  p.catch(() => prefetched.delete(url));
  prefetched.set(url, p);
  while (prefetched.size > PREFETCHED_MAX) prefetched.delete(prefetched.keys().next().value!);
  return p;
}

/**
 * The image of ``url``: the prefetched one if there is one, else loaded now. It stays cached (small LRU), so a
 * warm-up that runs after the page took the image does not decode it a second time.
 */
export function takeImage(url: string): Promise<CanvasImage> {
  return prefetchImage(url).catch(() => loadImage(url));
}
