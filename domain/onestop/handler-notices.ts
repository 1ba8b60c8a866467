import { HANDLER_KIND_NAMES, type HandlerEntry } from './handlers';

/**
 * MYNUM-1: every change of the 取扱者名簿 produces a dated notice to the city (特記3, 5: the person
 * responsible and the handlers are reported in writing). Pure: what changed, in the city's words.
 */
export type HandlerNoticeKind = 'registered' | 'changed' | 'removed' | 'approved';

export interface NoticeSubject extends HandlerEntry {
  name: string;
  dispatched: boolean;
  pledgeFile: string | null;
}

const FIELDS: [keyof NoticeSubject, string][] = [
  ['name', '氏名'],
  ['kind', '区分'],
  ['dispatched', '派遣労働者'],
  ['cityNotifiedOn', '市への報告日'],
  ['pledgeSignedOn', '誓約書の提出日'],
  ['pledgeFile', '誓約書の保管先'],
  ['trainedOn', '研修の受講日'],
  ['validUntil', '登録の有効期限'],
  ['removedOn', '名簿から外す日'],
];

const shown = (field: keyof NoticeSubject, v: unknown) => (v === null || v === undefined ? '未記録' : field === 'kind' ? HANDLER_KIND_NAMES[v as HandlerEntry['kind']] : field === 'dispatched' ? (v ? 'はい' : 'いいえ') : String(v));

const who = (s: NoticeSubject) => `${HANDLER_KIND_NAMES[s.kind]} ${s.name} (${s.actor})`;

/** The notice for a change from `before` (undefined: a new entry) to `after`; none when nothing the city is told of changed. */
export function handlerNotice(before: NoticeSubject | undefined, after: NoticeSubject): { kind: HandlerNoticeKind; text: string } | undefined {
  if (!before) return { kind: 'registered', text: `${who(after)}${after.dispatched ? ' (派遣労働者)' : ''} を特定個人情報の取扱者名簿に登録しました。` };
  if (after.removedOn && after.removedOn !== before.removedOn) return { kind: 'removed', text: `${who(after)} を ${after.removedOn} に取扱者名簿から外します。` };
  const changes = FIELDS.filter(([f]) => before[f] !== after[f]).map(([f, label]) => `${label}: ${shown(f, before[f])} → ${shown(f, after[f])}`);
  if (changes.length === 0) return undefined;
  const lapse = after.kind === 'responsible' && before.cityApprovedOn && !after.cityApprovedOn ? ' 作業責任者の変更のため、市の承認をあらためてお願いします。' : '';
  return { kind: 'changed', text: `${who(after)} の登録内容を変更しました (${changes.join('、')})。${lapse}` };
}

export function approvalNotice(entry: NoticeSubject, by: string): { kind: HandlerNoticeKind; text: string } {
  return { kind: 'approved', text: `${who(entry)} を作業責任者とすることについて、市の承認 (${by}) を記録しました。` };
}
