import { readCsv } from './csv';
import { decodeStream, type FileEncoding } from './encoding';
import { isMapper, type MapResult, type PortalAdapter, type RowMapper } from './types';

/** One donation's rows (consecutive rows with the same order number) and what the adapter made of them. */
export interface OrderGroup {
  firstRow: number;
  lastRow: number;
  rows: string[][];
  result: MapResult;
}

export interface OpenedPortalFile {
  encoding: FileEncoding;
  header: string[];
  mapper: RowMapper;
  groups: AsyncGenerator<OrderGroup>;
}

export class PortalFileError extends Error {
  override name = 'PortalFileError';
}

/**
 * Streams a portal file: bytes → text (encoding detected) → CSV records →
 * order groups → portal-neutral donations. Memory holds one order at a time.
 */
export async function openPortalFile(
  bytes: AsyncIterable<Buffer | Uint8Array | string>,
  adapter: PortalAdapter,
  opts: { skipThrough?: number } = {},
): Promise<OpenedPortalFile> {
  const { encoding, chunks } = await decodeStream(bytes);
  const records = readCsv(chunks);
  const first = await records.next();
  if (first.done) throw new PortalFileError('the file is empty');
  const header = first.value.cells;
  const begun = adapter.begin(header);
  if (!isMapper(begun)) throw new PortalFileError(begun.error);
  const mapper: RowMapper = begun;

  // A resumed import has already registered these orders: they are grouped (to find where the next begins) but not mapped.
  const skip = opts.skipThrough ?? 0;
  async function* groups(): AsyncGenerator<OrderGroup> {
    let current: { id: string; firstRow: number; lastRow: number; rows: string[][] } | undefined;
    const emit = (g: NonNullable<typeof current>): OrderGroup => ({ firstRow: g.firstRow, lastRow: g.lastRow, rows: g.rows, result: mapper.map(g.rows) });
    for await (const { row, cells } of records) {
      const id = mapper.orderIdOf(cells);
      // Rows without an order number never merge: each is its own (bad) group.
      if (current && id && id === current.id) {
        current.rows.push(cells);
        current.lastRow = row;
        continue;
      }
      if (current && current.lastRow > skip) yield emit(current);
      current = { id, firstRow: row, lastRow: row, rows: [cells] };
    }
    if (current && current.lastRow > skip) yield emit(current);
  }
  return { encoding, header, mapper, groups: groups() };
}
