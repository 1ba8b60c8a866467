import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A ZIP as Python's zipfile (an independent reader) reads it: { name → bytes }, after its CRC check of every member. */
export function unzip(bytes: Buffer): Map<string, Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'furusato-unzip-'));
  try {
    fs.writeFileSync(path.join(dir, 'pack.zip'), bytes);
    const script = 'import zipfile,sys,json\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nz.extractall(sys.argv[2])\nprint(json.dumps(z.namelist()))';
    const names: string[] = JSON.parse(execFileSync('python3', ['-c', script, path.join(dir, 'pack.zip'), path.join(dir, 'out')]).toString());
    return new Map(names.map((n) => [n, fs.readFileSync(path.join(dir, 'out', n))]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
