/**
 * PORTAL-5: the listings section of the hand-over — every image and text made for the portals'
 * listings (PORTAL-2), grouped by owner and gift:
 *
 *   listings/city/<gift>/listing.json          the common text, each portal's override and what each portal shows, with the basis
 *   listings/city/<gift>/texts/common.txt      the common text, readable
 *   listings/city/<gift>/texts/<portal>.txt    what that portal shows (its overrides laid over the common text)
 *   listings/city/<gift>/history.json          every change, oldest first
 *   listings/<owner>/<gift>/images/<file>      each image, owner `city` or `supplier-<code>` (the supplier who provided it)
 *   listings/upload-files/<portal>/<file>      each portal's item-upload file as the API makes it
 *                                              (`….problems.txt` instead when a listing breaks the portal's limits)
 *
 * Image bytes are checked against the sha256 the ledger recorded; a missing or changed file stops the run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { COMMON_SCOPE, imageFileName, LISTING_PORTALS, renderUploadFile, UPLOAD_MAPPINGS, type PortalListing } from '../../domain/listings';
import { giftsWithListingMaterial, listingDocument, listingHistory, uploadRows, type ListingDocument } from '../../ledger/listings';
import { safeSegment, sha256, writeArchiveFile, type HandoverSection, type SectionFile } from './sections';

const NAME = 'listings';
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
const maxOf = (dates: string[]) => dates.reduce<string | null>((m, d) => (m === null || d > m ? d : m), null);
const minOf = (dates: string[]) => dates.reduce<string | null>((m, d) => (m === null || d < m ? d : m), null);

function readable(title: string, description: string, shippingNotes: string, images: string[]): string {
  return [`【タイトル】`, title, '', `【説明】`, description, '', `【配送について】`, shippingNotes, '', `【画像】`, ...images, ''].join('\n');
}

function imageNames(doc: ListingDocument, ids: string[]): string[] {
  const byId = new Map(doc.images.map((i) => [i.id, i]));
  return ids.map((id) => byId.get(id)).filter((i) => i !== undefined).map((i) => imageFileName(doc.gift.code, i.sha256, i.format));
}

export const listingsSection: HandoverSection = {
  name: NAME,
  async write(outDir, { knex, config }): Promise<SectionFile[]> {
    const files: SectionFile[] = [];
    const put = (rel: string, bytes: Buffer | string, f: Omit<SectionFile, 'file'>) => {
      writeArchiveFile(outDir, `${NAME}/${rel}`, bytes);
      files.push({ file: `${NAME}/${rel}`, ...f });
    };

    for (const code of await giftsWithListingMaterial(knex)) {
      const doc = (await listingDocument(knex, code))!;
      const giftDir = safeSegment(code);
      const common = doc.texts.find((t) => t.scope === COMMON_SCOPE);
      const history = await listingHistory(knex, code);
      const created = minOf([...doc.texts.map((t) => t.createdAt), ...doc.images.map((i) => i.createdAt)]);
      const updated = maxOf([...doc.texts.map((t) => t.updatedAt), ...doc.images.map((i) => i.createdAt)]);
      const city = { owner: 'city', gift: code };

      put(`city/${giftDir}/listing.json`, json({
        gift: { code, name: doc.gift.name, supplier: doc.gift.supplierCode, localProductBasis: doc.gift.localProductBasis },
        common: common ?? null,
        overrides: doc.texts.filter((t) => t.scope !== COMMON_SCOPE),
        portals: doc.portals.map((p: PortalListing) => ({ ...p, imageFiles: imageNames(doc, p.images) })),
        images: doc.images.map(({ storagePath: _kept, ...i }) => ({ ...i, file: imageFileName(code, i.sha256, i.format) })),
      }), { ...city, portal: null, createdAt: created, updatedAt: updated, kind: 'listing' });
      if (common) {
        put(`city/${giftDir}/texts/common.txt`, readable(common.title!, common.description!, common.shippingNotes!, imageNames(doc, common.images ?? [])), { ...city, portal: null, createdAt: common.createdAt, updatedAt: common.updatedAt, kind: 'text' });
        for (const p of doc.portals) {
          const own = doc.texts.find((t) => t.scope === p.portal);
          put(`city/${giftDir}/texts/${p.portal}.txt`, readable(p.title, p.description, p.shippingNotes, imageNames(doc, p.images)), { ...city, portal: p.portal, createdAt: own?.createdAt ?? common.createdAt, updatedAt: maxOf([common.updatedAt, ...(own ? [own.updatedAt] : [])]), kind: 'text' });
        }
      }
      put(`city/${giftDir}/history.json`, json(history), { ...city, portal: null, createdAt: history[0]?.changedAt ?? null, updatedAt: history.at(-1)?.changedAt ?? null, kind: 'history' });

      for (const image of doc.images) {
        const owner = image.owner === 'city' ? 'city' : `supplier:${doc.gift.supplierCode ?? 'none'}`;
        const bytes = fs.readFileSync(path.join(config.dataDir, image.storagePath));
        if (sha256(bytes) !== image.sha256) throw new Error(`listing image ${image.id} of gift ${code}: ${image.storagePath} does not match its sha256`);
        put(`${safeSegment(owner.replace(':', '-'))}/${giftDir}/images/${imageFileName(code, image.sha256, image.format)}`, bytes, { owner, gift: code, portal: null, createdAt: image.createdAt, updatedAt: image.createdAt, kind: 'image' });
      }
    }

    for (const portal of LISTING_PORTALS) {
      const mapping = UPLOAD_MAPPINGS[portal];
      const rows = await uploadRows(knex, portal);
      if (!rows.length) continue;
      const file = renderUploadFile(mapping, rows);
      const meta = { owner: 'city', gift: null, portal, createdAt: null, updatedAt: null, kind: `upload file (${mapping.layout})` };
      if (file.bytes) put(`upload-files/${portal}/${mapping.fileName}`, file.bytes, meta);
      else put(`upload-files/${portal}/${mapping.fileName}.problems.txt`, file.problems.map((p) => `${p.gift}\t${p.column}\t${p.reason}\n`).join(''), { ...meta, kind: 'upload file problems' });
    }
    return files;
  },
};
