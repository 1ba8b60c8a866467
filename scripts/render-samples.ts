import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DocumentRenderer, defaultTemplatesDir, type PacketData } from '../activities/documents/renderer';
import { DOCUMENT_KINDS } from '../domain/documents';
import { portalName } from '../domain/portals/catalogue';
import { loadConfig } from '../config/env';

/** `npm run samples`: one PDF per document type for a made-up donor, into docs/samples/ for people to look at. */
async function main(): Promise<void> {
  const config = loadConfig();
  const out = path.resolve(__dirname, '..', '..', 'docs', 'samples');
  fs.mkdirSync(out, { recursive: true });
  const renderer = await DocumentRenderer.launch({ templatesDir: defaultTemplatesDir(), chromiumPath: config.documents.chromiumPath });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'samples-'));
  try {
    const base: PacketData = {
      donationId: 'sample',
      portalName: portalName('choice'),
      portalOrderId: 'SAMPLE-0001',
      donor: { name: '見本 花子', nameKana: 'ミホン ハナコ', postalCode: '100-0001', prefecture: '東京都', address: '千代田区千代田1-1 見本マンション101', phone: '03-0000-0000' },
      amountYen: 30_000,
      receivedAt: '2026-12-10T03:00:00.000Z',
      purpose: '子育て支援',
      wantsOneStop: true,
      disasterRelief: false,
      receiptNumber: 'R2026-000123',
      issue: 1,
      documents: [],
      applicationArrivedOn: '2026-12-24',
    };
    for (const kind of DOCUMENT_KINDS) {
      const pdf = await renderer.render([{ ...base, documents: [kind] }], work);
      fs.writeFileSync(path.join(out, `${kind}.pdf`), pdf);
    }
    fs.writeFileSync(path.join(out, 'donation_receipt-disaster_relief.pdf'), await renderer.render([{ ...base, disasterRelief: true, documents: ['donation_receipt'] }], work));
    fs.writeFileSync(path.join(out, 'donation_receipt-reissue.pdf'), await renderer.render([{ ...base, issue: 2, receiptNumber: 'R2026-000123-2', documents: ['donation_receipt'] }], work));
    console.log(`samples written to ${out}`);
  } finally {
    await renderer.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
