import { normalizeAddress, normalizeKana } from '../onestop/kana';

/**
 * 名寄せ: the keys by which donor records from different portals are
 * recognised as one person, and the decision. Portals write the same person
 * differently (ﾔﾏﾀﾞ ﾊﾅｺ / やまだ　はなこ / ヤマダハナコ, 03-1234-5678 /
 * ０３１２３４５６７８, 1丁目2番3号 / 1-2-3), so every key is notation-free.
 *
 * Rule (judgement): the same kana is necessary but never enough — common names
 * are shared by thousands. It takes the kana plus one agreeing identifier:
 * birth date, phone, or postal code with address. A birth date that differs
 * is proof of two people, so kana + phone with different birth dates is not
 * merged; nor is a record that would fit two existing people. Those go to an
 * operator. Kana with no agreeing identifier is simply another person (no
 * flag: a namesake is not suspicious).
 */
export interface IdentityKeys {
  kana: string;
  phone: string | null;
  /** Postal code digits + normalised address: moving house changes it, so it is one identifier among others. */
  address: string | null;
  /** YYYY-MM-DD, when the source has it (few portal exports do). */
  birthDate: string | null;
}

export function identityKeys(d: { nameKana: string; phone?: string | null; postalCode: string; address: string; birthDate?: string | null }): IdentityKeys {
  const kana = normalizeKana(d.nameKana ?? '').replace(/[・･]/g, '');
  const phone = (d.phone ?? '').normalize('NFKC').replace(/\D/g, '');
  const postal = (d.postalCode ?? '').normalize('NFKC').replace(/\D/g, '');
  const address = normalizeAddress(d.address ?? '');
  return {
    kana,
    phone: phone.length >= 10 ? phone : null,
    address: postal.length === 7 && address ? `${postal}|${address}` : null,
    birthDate: d.birthDate || null,
  };
}

export type Identifier = 'birth_date' | 'phone' | 'address';

/** One donor record already linked to a person. */
export interface KnownRecord extends IdentityKeys {
  personId: string;
}

export type MatchDecision =
  | { kind: 'join'; personId: string; matchedOn: Identifier[] }
  | { kind: 'new' }
  | { kind: 'ambiguous'; candidates: string[]; reason: string };

function agreement(a: IdentityKeys, b: IdentityKeys): { agree: Identifier[]; birthConflict: boolean } {
  const agree: Identifier[] = [];
  if (a.birthDate && b.birthDate && a.birthDate === b.birthDate) agree.push('birth_date');
  if (a.phone && b.phone && a.phone === b.phone) agree.push('phone');
  if (a.address && b.address && a.address === b.address) agree.push('address');
  return { agree, birthConflict: !!(a.birthDate && b.birthDate && a.birthDate !== b.birthDate) };
}

/** Decides which person (if any) a new record belongs to, given the known records with the same kana key. */
export function decideMatch(keys: IdentityKeys, known: KnownRecord[]): MatchDecision {
  if (!keys.kana) return { kind: 'new' };
  const persons = new Map<string, { agree: Set<Identifier>; birthConflict: boolean }>();
  for (const r of known) {
    if (r.kana !== keys.kana) continue;
    const { agree, birthConflict } = agreement(keys, r);
    const p = persons.get(r.personId) ?? { agree: new Set<Identifier>(), birthConflict: false };
    agree.forEach((a) => p.agree.add(a));
    p.birthConflict ||= birthConflict;
    persons.set(r.personId, p);
  }
  const fitting = [...persons].filter(([, p]) => p.agree.size > 0);
  const clean = fitting.filter(([, p]) => !p.birthConflict);
  const conflicting = fitting.filter(([, p]) => p.birthConflict);
  if (fitting.length === 0) return { kind: 'new' };
  if (clean.length === 1 && conflicting.length === 0) {
    const [personId, p] = clean[0];
    return { kind: 'join', personId, matchedOn: [...p.agree].sort() };
  }
  const reason = conflicting.length
    ? `same kana and ${[...new Set(conflicting.flatMap(([, p]) => [...p.agree]))].sort().join('/')} as a known donor, but a different birth date`
    : `same kana fits ${clean.length} different donors (${clean.map(([, p]) => [...p.agree].sort().join('/')).join('; ')})`;
  return { kind: 'ambiguous', candidates: fitting.map(([id]) => id).sort(), reason };
}
