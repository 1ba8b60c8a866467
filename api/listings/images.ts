import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { imageProblem, imageStoragePath, isImageFormat, type ImageFormat } from '../../domain/listings';

/**
 * PORTAL-2: an uploaded image checked on its bytes with sharp (libvips): the format it decodes as,
 * the pixel dimensions and the size, against domain/listings/images.ts. A file that does not decode
 * to the end (cut off, or not an image at all) is refused like a wrong format.
 */
export async function inspectImage(bytes: Buffer): Promise<{ ok: true; format: ImageFormat; width: number; height: number } | { ok: false; reason: string }> {
  let format: string | undefined;
  let width: number | undefined;
  let height: number | undefined;
  if (bytes.length > 0) {
    try {
      const meta = await sharp(bytes, { failOn: 'truncated', animated: false }).metadata();
      ({ format, width, height } = meta);
      // Decode the pixels once: a header that reads well on top of broken data is not an image a portal takes.
      if (isImageFormat(format)) await sharp(bytes, { failOn: 'truncated' }).stats();
    } catch {
      format = undefined;
    }
  }
  const reason = imageProblem({ format, width, height, bytes: bytes.length });
  if (reason || !isImageFormat(format)) return { ok: false, reason: reason ?? 'is not an image that can be read (JPEG, PNG or GIF)' };
  return { ok: true, format, width: width!, height: height! };
}

/**
 * Keeps the bytes under the data folder by their sha256 (written once: the same bytes are the same
 * file), through a temporary name so that a crash never leaves half a file under the final name.
 */
export function storeImage(dataDir: string, bytes: Buffer, format: ImageFormat): { sha256: string; storagePath: string } {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const storagePath = imageStoragePath(sha256, format);
  const target = path.join(dataDir, storagePath);
  if (!fs.existsSync(target)) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, target);
  }
  return { sha256, storagePath };
}
