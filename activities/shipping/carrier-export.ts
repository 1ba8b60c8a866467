import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildCarrierFiles, type CarrierOptions } from '../../domain/carriers';
import type { CarrierCode, CarrierProblem, CarrierShipmentRow } from '../../domain/carriers/types';

export interface WrittenCarrierFile {
  carrier: CarrierCode;
  fileName: string;
  rows: number;
  sha256: string;
  problems: CarrierProblem[];
}

/** Writes each carrier's files into `dir` (temp name, then rename, so a reader never sees half a file). */
export function writeCarrierFiles(byCarrier: Map<CarrierCode, CarrierShipmentRow[]>, dir: string, options: CarrierOptions): WrittenCarrierFile[] {
  fs.mkdirSync(dir, { recursive: true });
  const written: WrittenCarrierFile[] = [];
  for (const [carrier, rows] of byCarrier) {
    for (const file of buildCarrierFiles(carrier, rows, options)) {
      const target = path.join(dir, file.fileName);
      fs.writeFileSync(`${target}.part`, file.content);
      fs.renameSync(`${target}.part`, target);
      written.push({ carrier, fileName: file.fileName, rows: file.rows, sha256: createHash('sha256').update(file.content).digest('hex'), problems: file.problems });
    }
  }
  return written;
}
