import fs from 'node:fs';
import path from 'node:path';
import type { CarrierShipmentRow } from '../carriers/types';

export type CarrierSender = CarrierShipmentRow['sender'];

/** templates/documents at the project root, from the sources and from dist/ alike (as the document renderer finds it). */
function projectTemplatesDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return path.join(dir, 'templates', 'documents');
}

/** The city as a sender of last resort on carrier labels, from the same city.json the documents use. */
export function citySender(templatesDir = projectTemplatesDir()): CarrierSender {
  const city = JSON.parse(fs.readFileSync(path.join(templatesDir, 'city.json'), 'utf8')) as { department: string; postalCode: string; address: string; phone: string };
  return { name: city.department, postalCode: city.postalCode.replace('-', ''), address: city.address, phone: city.phone };
}
