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
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(e.bytes.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(e.bytes.length, 24);
    central.writeUInt16LE(name.length, 28);
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
