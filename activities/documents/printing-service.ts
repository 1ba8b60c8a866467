import fs from 'node:fs';
import path from 'node:path';

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
  handOff(job: PrintJob): Promise<{ reference: string }>;
}

/**
 * Copies the job into `<dropDir>/<batchId>/` and writes READY last, so the
 * printer's pickup never sees a half-copied batch. Handing off the same batch
 * again overwrites it with identical files.
 */
export class FolderDropPrintingService implements PrintingService {
  constructor(private readonly dropDir: string) {}

  async handOff(job: PrintJob): Promise<{ reference: string }> {
    const target = path.join(this.dropDir, job.batchId);
    await fs.promises.mkdir(target, { recursive: true });
    await fs.promises.copyFile(job.pdfPath, path.join(target, 'batch.pdf'));
    await fs.promises.copyFile(job.manifestPath, path.join(target, 'manifest.csv'));
    await fs.promises.writeFile(path.join(target, 'READY'), `${new Date().toISOString()}\n`);
    return { reference: target };
  }
}
