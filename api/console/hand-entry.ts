import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CHANNELS, PAYMENT_METHODS } from '../../domain/donation-status';
import { CHANNEL_LABELS, PAYMENT_METHOD_LABELS } from '../../domain/console/labels';
import { prefecturesForPostalCode, yanagawaTownOf } from '../../domain/intake/postal';
import { CITY_NAME, CITY_PREFECTURE, reviewFindings } from '../../domain/review';
import type { RouteDeps } from '../feature';
import { fieldErrors, type ApiCall } from './api-client';
import { OPERATORS, csrfToken } from './plugin';

/**
 * Hand entry (INTAKE-1): a phone, FAX, mail or counter donation, entered in a form and saved by
 * POST /donations. Before saving, the review findings (INTAKE-4, domain/review.ts — the rule the
 * ledger applies) are shown; the postal code fills in the prefecture (and 柳川市's towns) from the
 * project's own postal data (domain/intake/postal.ts).
 */
type Form = Record<string, string | undefined>;
const DONOR = ['name', 'nameKana', 'postalCode', 'prefecture', 'address', 'phone', 'email'] as const;
const HAND_CHANNELS = CHANNELS.filter((c) => c !== 'portal');

/** What the postal code tells: the prefecture when only one has codes under its prefix; 柳川市 and the town for the city's own codes. */
export function completeAddress(form: Form): { form: Form; notice: string } {
  const raw = (form.postalCode ?? '').replace(/[－ー―‐]/g, '-').replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).trim();
  const code = /^\d{7}$/.test(raw) ? `${raw.slice(0, 3)}-${raw.slice(3)}` : raw;
  const prefectures = prefecturesForPostalCode(code);
  if (!prefectures) return { form, notice: '郵便番号から住所を補完できませんでした（7桁の郵便番号を入力してください）。' };
  const next: Form = { ...form, postalCode: code };
  const town = yanagawaTownOf(code);
  if (town !== undefined) {
    next.prefecture = CITY_PREFECTURE;
    if (!form.address) next.address = `${CITY_NAME}${town}`;
    return { form: next, notice: `郵便番号 ${code} は${CITY_PREFECTURE}${CITY_NAME}${town}です。番地を続けて入力してください。` };
  }
  if (prefectures.length === 1) {
    next.prefecture = prefectures[0];
    return { form: next, notice: `郵便番号 ${code} は${prefectures[0]}です。市区町村から入力してください。` };
  }
  return { form: next, notice: `郵便番号 ${code} は${prefectures.join('・')}のいずれかです。都道府県を選んでください。` };
}

export function registerHandEntry(app: FastifyInstance, _deps: RouteDeps, api: ApiCall): void {
  const page = (reply: FastifyReply, status: number, data: { form?: Form; errors?: Record<string, string>; error?: string; notice?: string; findings?: { flag: string; reason: string }[]; confirmed?: boolean }) => {
    const form = data.form ?? { channel: 'phone', paymentMethod: 'postal_transfer', giftQuantity: '1' };
    return reply.code(status).view('hand-entry.hbs', {
      title: '寄附の手入力',
      csrf: csrfToken(reply),
      ...data,
      form,
      channels: HAND_CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c], selected: form.channel === c })),
      paymentMethods: PAYMENT_METHODS.map((m) => ({ value: m, label: PAYMENT_METHOD_LABELS[m], selected: form.paymentMethod === m })),
    });
  };

  app.get('/donations/new', { config: { consoleRoles: OPERATORS } }, async (_request, reply) => page(reply, 200, {}));

  app.post('/donations/new', { config: { consoleRoles: OPERATORS } }, async (request: FastifyRequest<{ Body: Form }>, reply) => {
    const user = request.consoleUser!;
    const { _csrf, step, ...form } = request.body;
    void _csrf;
    if (step === 'postal') {
      const completed = completeAddress(form);
      return page(reply, 200, { form: completed.form, notice: completed.notice });
    }
    const body = {
      channel: form.channel,
      portalOrderId: form.portalOrderId?.trim() || undefined,
      donor: Object.fromEntries(DONOR.map((f) => [f, form[f]?.trim() || undefined]).filter(([, v]) => v !== undefined)),
      amountYen: /^\d+$/.test((form.amountYen ?? '').replace(/[,，円¥]/g, '')) ? Number((form.amountYen ?? '').replace(/[,，円¥]/g, '')) : form.amountYen,
      paymentMethod: form.paymentMethod,
      paidAt: /^\d{4}-\d{2}-\d{2}$/.test(form.paidOn ?? '') ? new Date(`${form.paidOn}T00:00:00+09:00`).toISOString() : form.paidOn || undefined,
      purpose: form.purpose?.trim() || undefined,
      wantsOneStop: form.wantsOneStop === 'on',
      disasterRelief: form.disasterRelief === 'on',
      gifts: form.giftCode?.trim() ? [{ code: form.giftCode.trim(), quantity: Number(form.giftQuantity) || 1 }] : [],
    };
    if (step !== 'save') {
      // The review findings the ledger will record, before anything is saved (duplicates across portals are checked at saving).
      let giftPriceYen = 0;
      const errors: Record<string, string> = {};
      if (body.gifts.length) {
        const gift = await api(user, 'GET', `/gifts/${encodeURIComponent(body.gifts[0].code)}`);
        if (gift.status === 200) giftPriceYen = (gift.body.gift?.priceYen ?? gift.body.priceYen ?? 0) * body.gifts[0].quantity;
        else errors.giftCode = `返礼品コード ${body.gifts[0].code} はありません`;
      }
      const donor = { name: '', nameKana: '', postalCode: '', prefecture: '', address: '', ...(body.donor as Record<string, string>) };
      const findings = reviewFindings({ channel: String(body.channel), donor, amountYen: Number(body.amountYen) || 0, giftPriceYen, hasGift: body.gifts.length > 0, likelyDuplicates: [] });
      return page(reply, Object.keys(errors).length ? 400 : 200, { form, findings, errors, confirmed: Object.keys(errors).length === 0, error: Object.keys(errors).length ? '入力内容を確認してください。' : undefined });
    }
    const res = await api(user, 'POST', '/donations', body);
    if (res.status === 201 || res.status === 200) return reply.redirect(`/console/donations/${res.body.donation.id}?done=created`, 303);
    if (res.status === 400) {
      const errors = fieldErrors(res.body, /^donor\./);
      for (const [k, v] of Object.entries(errors)) if (k.startsWith('gifts')) errors.giftCode = v;
      if (errors.paidAt) errors.paidOn = errors.paidAt;
      return page(reply, 400, { form, errors, error: '入力内容を確認してください。各項目のメッセージを見て直してください。' });
    }
    return page(reply, res.status, { form, error: String(res.body?.message ?? '登録できませんでした。') });
  });
}
