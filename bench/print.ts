import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { DocumentRenderer, defaultTemplatesDir, type PacketData } from '../activities/documents/renderer';
import { receiptPacket } from '../domain/documents';
import { loadConfig } from '../config/env';

/**
 * `npm run bench:print [-- --n 2000]`: renders a batch of N donations' envelopes
 * (30% with the one-stop set) into one merged PDF with the same renderer the
 * print batch activity uses, and reports documents/s and peak memory of this
 * process and of Chromium.
 */
function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : Number(process.env[`BENCH_${name.toUpperCase()}`] ?? fallback);
}

function chromiumRssMiB(): number {
  try {
    const out = execFileSync('ps', ['-C', 'chromium', '-o', 'rss='], { encoding: 'utf8' });
    return out.split('\n').filter(Boolean).reduce((sum, kb) => sum + Number(kb), 0) / 1024;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const n = arg('n', 2000);
  const chunk = arg('chunk', 100);
  const config = loadConfig();
  const packets: PacketData[] = Array.from({ length: n }, (_, i) => {
    const oneStop = i % 10 < 3;
    return {
      donationId: `bench-${i}`,
      portalName: ['ふるさとチョイス', '楽天ふるさと納税', 'ふるなび', 'さとふる'][i % 4],
      portalOrderId: `BENCH-${String(i).padStart(6, '0')}`,
      donor: { name: `試験 太郎${i}`, nameKana: 'シケン タロウ', postalCode: '100-0001', prefecture: '東京都', address: `千代田区千代田${(i % 9) + 1}-${(i % 30) + 1}`, phone: '03-0000-0000' },
      amountYen: 10_000 + (i % 20) * 5_000,
      receivedAt: new Date(Date.UTC(2026, 11, 1 + (i % 28), 3)).toISOString(),
      wantsOneStop: oneStop,
      disasterRelief: i % 50 === 0,
      receiptNumber: `R2026-${String(i + 1).padStart(6, '0')}`,
      issue: 1,
      documents: receiptPacket(oneStop, 'initial'),
    };
  });
  const documents = packets.reduce((sum, p) => sum + p.documents.length, 0);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-print-'));
  let peakRss = 0;
  let peakChromium = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    peakChromium = Math.max(peakChromium, chromiumRssMiB());
  }, 500);

  const launchStart = Date.now();
  const renderer = await DocumentRenderer.launch({ templatesDir: defaultTemplatesDir(), chromiumPath: config.documents.chromiumPath, chunkSize: chunk });
  const launchMs = Date.now() - launchStart;
  const start = Date.now();
  const pdf = await renderer.render(packets, work, (done) => process.stdout.write(`\r  rendered ${done}/${n} envelopes`));
  const seconds = (Date.now() - start) / 1000;
  fs.writeFileSync(path.join(work, 'batch.pdf'), pdf);
  clearInterval(sampler);
  await renderer.close();
  const sizeMiB = pdf.length / 1024 / 1024;
  fs.rmSync(work, { recursive: true, force: true });

  const result = {
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    envelopes: n,
    documents,
    chunkSize: chunk,
    browserLaunchMs: launchMs,
    seconds: Number(seconds.toFixed(1)),
    documentsPerSecond: Number((documents / seconds).toFixed(1)),
    envelopesPerSecond: Number((n / seconds).toFixed(1)),
    peakNodeRssMiB: Math.round(peakRss / 2 ** 20),
    peakChromiumRssMiB: Math.round(peakChromium),
    pdfMiB: Number(sizeMiB.toFixed(1)),
    target: '>= 20 documents/s',
  };
  console.log(`\n
bench:print on ${result.machine.cpus} × ${result.machine.cpu}, ${result.machine.memoryGiB} GiB, Node ${result.machine.node}
  ${n} envelopes, ${documents} documents (one A4 page each), ${chunk} envelopes per Chromium print
  browser launch        ${launchMs} ms (once per worker)
  render + merge        ${result.seconds} s
  throughput            ${result.documentsPerSecond} documents/s (${result.envelopesPerSecond} envelopes/s) — target ≥ 20 documents/s: ${result.documentsPerSecond >= 20 ? 'met' : 'NOT met'}
  peak memory           Node ${result.peakNodeRssMiB} MiB RSS, Chromium ${result.peakChromiumRssMiB} MiB RSS (all processes)
  merged PDF            ${result.pdfMiB} MiB`);
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
