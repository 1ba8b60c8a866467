import type { Knex } from '@mikro-orm/postgresql';
import { approveSubcontractor, findSubcontractor, saveSubcontractor } from '../ledger/subcontractors';

/**
 * Outside production only (`npm start`, the test stacks): the print house of PRINT_HOUSE_CODE on the
 * CONTRACT-3 register, approved for donors' personal data, so the local print drop works. What exists
 * is left alone (a developer who revoked it sees the refusal). In production the admin registers the
 * real print house and the city approves it; nothing is seeded.
 */
export async function seedDevPrintHouse(knex: Knex, code: string): Promise<void> {
  if (await findSubcontractor(knex, code)) return;
  await saveSubcontractor(
    knex,
    code,
    {
      name: '開発用 印刷会社',
      reason: '寄附金受領証明書等の印刷・封入・郵送 (開発環境)',
      work: '印刷バッチの受領、印刷、封入、差出',
      dataPassed: ['donor_personal'],
      safeguards: '開発環境: 実在の個人情報は扱わない',
    },
    'system:dev-seed',
  );
  await approveSubcontractor(knex, code, '開発環境のため書面なし', 'system:dev-seed');
}
