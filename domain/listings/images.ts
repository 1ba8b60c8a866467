/**
 * PORTAL-2: what an image for a listing must be, judged on the bytes (the format an image library
 * reads from them, not the file name): the strictest of the portals' published rules — 楽天's
 * R-Cabinet takes JPEG, GIF and PNG of at most 2 MB and 3840 × 3840 pixels, and its image guideline
 * asks for at least 700 pixels a side. The other portals' rules are not published (provisional).
 */
export const IMAGE_RULES = {
  formats: ['jpeg', 'png', 'gif'] as const,
  maxBytes: 2 * 1024 * 1024,
  minSide: 700,
  maxSide: 3840,
} as const;

export type ImageFormat = (typeof IMAGE_RULES.formats)[number];

export interface ImageFacts {
  /** As the image library names it (jpeg, png, gif, webp, …); undefined when it could not read the bytes. */
  format: string | undefined;
  width: number | undefined;
  height: number | undefined;
  bytes: number;
}

export const EXTENSIONS: Record<ImageFormat, string> = { jpeg: 'jpg', png: 'png', gif: 'gif' };
export const MEDIA_TYPES: Record<ImageFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif' };

export const isImageFormat = (f: string | undefined): f is ImageFormat => (IMAGE_RULES.formats as readonly string[]).includes(f ?? '');

/** Why an image is refused (one sentence naming the rule and the value), or null when it may be used. */
export function imageProblem(facts: ImageFacts): string | null {
  const r = IMAGE_RULES;
  if (facts.bytes === 0) return 'is empty';
  if (facts.bytes > r.maxBytes) return `is ${facts.bytes} bytes; an image may be at most ${r.maxBytes} bytes (2 MiB)`;
  if (!facts.format) return `is not an image that can be read (JPEG, PNG or GIF)`;
  if (!isImageFormat(facts.format)) return `is ${facts.format.toUpperCase()}; an image must be JPEG, PNG or GIF`;
  const { width, height } = facts;
  if (!width || !height) return 'has no pixel dimensions';
  if (width > r.maxSide || height > r.maxSide) return `is ${width} × ${height} pixels; at most ${r.maxSide} × ${r.maxSide} are allowed`;
  if (Math.min(width, height) < r.minSide) return `is ${width} × ${height} pixels; each side must be at least ${r.minSide} pixels`;
  return null;
}

/** Where an image's bytes are kept, relative to the data folder: by content, so a file is written once. */
export function imageStoragePath(sha256: string, format: ImageFormat): string {
  return `listings/images/${sha256.slice(0, 2)}/${sha256}.${EXTENSIONS[format]}`;
}

/** The image's file name on the portals and in the hand-over (the same bytes, the same name). */
export function imageFileName(gift: string, sha256: string, format: ImageFormat): string {
  return `${gift.toLowerCase().replace(/[^a-z0-9_-]/g, '_')}-${sha256.slice(0, 12)}.${EXTENSIONS[format]}`;
}
