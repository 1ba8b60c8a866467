import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface PrintJob {
  batchId: string;
  pdfPath: string;
  manifestPath: string;
}

/**
 * The printing company's intake. Today a folder they collect from; an SFTP
 * drop implements the same interface with the same two-phase hand-off.
 */
export interface PrintingService {
  /** The subcontractor (CONTRACT-3 register code) that receives the batches and the personal data in them. */
  readonly recipient: string;
  /** `progress` (optional) is told the bytes handed over so far, for heartbeats. */
  handOff(job: PrintJob, progress?: (bytes: number) => void): Promise<{ reference: string }>;
}

/**
 * Copies the job into `<dropDir>/<batchId>/` and writes READY last, so the
 * printer's pickup never sees a half-copied batch. Handing off the same batch
 * again overwrites it with identical files.
 */
export class FolderDropPrintingService implements PrintingService {
  constructor(
    private readonly dropDir: string,
    readonly recipient: string,
  ) {}

  async handOff(job: PrintJob, progress?: (bytes: number) => void): Promise<{ reference: string }> {
    const target = path.join(this.dropDir, job.batchId);
    await fs.promises.mkdir(target, { recursive: true });
    let copied = 0;
    const copy = async (from: string, to: string) => {
      if (!progress) return fs.promises.copyFile(from, to);
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          copied += chunk.length;
          progress(copied);
          done(null, chunk);
        },
      });
      await pipeline(fs.createReadStream(from), counter, fs.createWriteStream(to));
    };
    await copy(job.pdfPath, path.join(target, 'batch.pdf'));
    await copy(job.manifestPath, path.join(target, 'manifest.csv'));
    await fs.promises.writeFile(path.join(target, 'READY'), `${new Date().toISOString()}\n`);
    return { reference: target };
  }
}
