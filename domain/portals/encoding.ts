import iconv from 'iconv-lite';

/**
 * Portal exports arrive as Shift_JIS (in practice Windows' CP932, which adds
 * NEC/IBM kanji such as 髙 and 﨑 and maps 外字 to the private-use area) or as
 * UTF-8, with or without a BOM. Nothing in the file says which, so the first
 * bytes decide: a BOM, else strict UTF-8 validity of the sample, else CP932.
 */
export type FileEncoding = 'utf-8' | 'utf-8-bom' | 'cp932';

const SAMPLE_BYTES = 64 * 1024;

export function detectEncoding(sample: Buffer): FileEncoding {
  if (sample.length >= 3 && sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8-bom';
  return isUtf8(trimIncompleteTail(sample)) ? 'utf-8' : 'cp932';
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** A sample cut mid-character must not count as invalid UTF-8. */
function trimIncompleteTail(bytes: Buffer): Buffer {
  let end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = bytes[end - back];
    if ((b & 0xc0) === 0x80) continue;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      if (back < need) end -= back;
    }
    break;
  }
  return bytes.subarray(0, end);
}

/**
 * Why a file's first bytes cannot be a portal export, or undefined: exports are text (CSV/TSV) in UTF-8
 * or CP932, so NUL bytes mean a binary file and bytes that are neither encoding mean a wrong one. The
 * upload refuses such a file before anything is imported (issue 21).
 */
export function notAPortalText(sample: Buffer): string | undefined {
  const head = sample.subarray(0, SAMPLE_BYTES);
  if (head.includes(0)) return 'is a binary file (it contains NUL bytes), not a CSV/TSV export';
  if (isUtf8(trimIncompleteTail(head))) return undefined;
  try {
    // WHATWG Shift_JIS is Windows-31J (CP932), NEC/IBM kanji and 外字 included; stream leaves a cut tail alone.
    new TextDecoder('shift_jis', { fatal: true }).decode(head, { stream: true });
    return undefined;
  } catch {
    return 'is neither UTF-8 nor Shift_JIS (CP932) text';
  }
}

export interface DecodedText {
  encoding: FileEncoding;
  chunks: AsyncIterable<string>;
}

/**
 * Decodes a byte stream chunk by chunk. Multi-byte characters split across
 * chunks are carried over by iconv-lite's stateful decoder.
 */
export async function decodeStream(bytes: AsyncIterable<Buffer | Uint8Array | string>): Promise<DecodedText> {
  const iterator = bytes[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headSize = 0;
  let exhausted = false;
  while (headSize < SAMPLE_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    const buf = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array);
    head.push(buf);
    headSize += buf.length;
  }
  const first = Buffer.concat(head);
  const encoding = detectEncoding(first);
  const decoder = iconv.getDecoder(encoding === 'cp932' ? 'cp932' : 'utf8', { stripBOM: true });

  async function* chunks(): AsyncGenerator<string> {
    if (first.length) {
      const text = decoder.write(first);
      if (text) yield text;
    }
    if (!exhausted) {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        const text = decoder.write(Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array));
        if (text) yield text;
      }
    }
    const rest = decoder.end();
    if (rest) yield rest;
  }
  return { encoding, chunks: chunks() };
}
