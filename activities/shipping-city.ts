import fs from 'node:fs';
import path from 'node:path';
import { defaultTemplatesDir, type CityConfig } from './documents/renderer';

/** The city as a sender of last resort on carrier labels, from the same city.json the documents use. */
export function loadCity(templatesDir = defaultTemplatesDir()): { name: string; postalCode: string; address: string; phone: string } {
  const city = JSON.parse(fs.readFileSync(path.join(templatesDir, 'city.json'), 'utf8')) as CityConfig;
  return { name: city.department, postalCode: city.postalCode.replace('-', ''), address: city.address, phone: city.phone };
}
