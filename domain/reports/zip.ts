import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Path inside the archive; stored with the UTF-8 flag. */
  name: string;
  bytes: Buffer;
}

/** DOS date and time of a moment, as the JST wall clock (what a clerk's PC shows). */
function dosTime(at: Date): { date: number; time: number } {
  const j = new Date(at.getTime() + 9 * 3600_000);
  return {
    date: ((j.getUTCFullYear() - 1980) << 9) | ((j.getUTCMonth() + 1) << 5) | j.getUTCDate(),
    time: (j.getUTCHours() << 11) | (j.getUTCMinutes() << 5) | Math.floor(j.getUTCSeconds() / 2),
  };
}

interface EntryFields {
  time: number;
  date: number;
  crc: number;
  compressed: number;
  size: number;
  nameLength: number;
}

/** The fields a local header (at 4) and a central directory header (at 6) share, in the same order: version needed, flags, method, time, date, crc, sizes, name length (the local header's extra length stays 0). */
function writeEntryFields(header: Buffer, at: number, f: EntryFields): void {
  header.writeUInt16LE(20, at); // version needed
  header.writeUInt16LE(0x0800, at + 2); // UTF-8 names
  header.writeUInt16LE(8, at + 4); // deflate
  header.writeUInt16LE(f.time, at + 6);
  header.writeUInt16LE(f.date, at + 8);
  header.writeUInt32LE(f.crc, at + 10);
  header.writeUInt32LE(f.compressed, at + 14);
  header.writeUInt32LE(f.size, at + 18);
  header.writeUInt16LE(f.nameLength, at + 22);
}

/**
 * A ZIP archive (PKWARE APPNOTE 6.3, deflate, UTF-8 names, no ZIP64: a pack stays far below 4 GB) that
 * Windows Explorer, macOS and `unzip` open. The same entries and time give the same bytes.
 */
export function zipArchive(entries: ZipEntry[], at: Date): Buffer {
  const { date, time } = dosTime(at);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = deflateRawSync(e.bytes, { level: 9 });
    const crc = crc32(e.bytes) >>> 0;
    const fields: EntryFields = { time, date, crc, compressed: data.length, size: e.bytes.length, nameLength: name.length };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeEntryFields(local, 4, fields);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by
    writeEntryFields(central, 6, fields);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
