import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CARRIER_NAMES } from '../../domain/carriers/catalogue';
import { queryString, type ApiCall } from './api-client';
import { defined, formAction, formVersion, trimmed, versionAt, typedNumber, type Form, type FormAction, type FormPage } from './form-action';
import { OPERATORS, type ConsoleUser } from './plugin';

/**
 * The operators' actions on a billing month (BILL-1…5; issue 17), each sent to the API's own route as
 * the person: findings on a dispute and its resolution, statement corrections (amend, void, add a shipment), issuing the invoice without every
 * confirmation (the override, with its reason), the month's actual receipt postage, and payments to
 * suppliers and carriers (part of what is owed, too). Whether an action is allowed now is the route's
 * rule; the page shows its answer.
 */
export type MonthRequest = FastifyRequest<{ Params: { month: string; supplier?: string }; Querystring: Form; Body: Form }>;
type Page = FormPage<MonthRequest>;
const billingForm = (api: ApiCall, page: Page, f: FormAction<MonthRequest>) => formAction(api, page, f);

const PAYEE_KIND_LABELS: Record<string, string> = { supplier: '事業者（調達費）', carrier: '配送業者（送料）' };
const payeeName = (p: Record<string, any>) => (p.payeeKind === 'carrier' ? (CARRIER_NAMES[p.payeeCode as keyof typeof CARRIER_NAMES] ?? p.payeeName) : p.payeeName);

/** What the month's page shows around its action forms: the override, the postage, what is owed and paid. */
export function monthActions(user: ConsoleUser, run: Record<string, any>, pay: { payables: Record<string, any>[]; payments: Record<string, any>[] }, action: (what: string) => string, typed?: Form) {
  const payables = pay.payables.map((p): Record<string, any> => ({ ...p, kindLabel: PAYEE_KIND_LABELS[p.payeeKind] ?? p.payeeKind, name: payeeName(p) }));
  const chosen = typed?.payee;
  return {
    canAct: OPERATORS.includes(user.role),
    override: run.run?.override ?? null,
    postage: run.run?.receiptPostage ?? null,
    overrideAction: action('override'),
    postageAction: action('receipt-postage'),
    paymentAction: action('payments'),
    payables,
    payments: pay.payments,
    payeeOptions: payables.filter((p) => p.outstandingYen > 0).map((p) => ({ value: `${p.payeeKind}:${p.payeeCode}`, label: `${p.name}（${p.kindLabel}、未払 ¥${Number(p.outstandingYen).toLocaleString('ja-JP')}）`, selected: chosen === `${p.payeeKind}:${p.payeeCode}` })),
  };
}

const CORRECTION_KINDS = [
  { value: 'amend', label: '行を直す（数量・発送日・金額）' },
  { value: 'void', label: '行を取り消す' },
  { value: 'add_shipment', label: '漏れていた配送を加える' },
];

/** The corrections form of a statement page: the kinds and the lines that can be named. */
export function correctionForm(user: ConsoleUser, lines: Record<string, any>[], typed: Form = {}) {
  return {
    canCorrect: OPERATORS.includes(user.role),
    correctionKinds: CORRECTION_KINDS.map((k) => ({ ...k, selected: typed.kind === k.value })),
    lineOptions: lines.filter((l) => !l.voided).map((l) => ({ value: l.lineId, label: `${l.shippedOn} ${l.giftName} ×${l.quantity}`, selected: typed.lineId === l.lineId })),
  };
}

/** A statement's version for the stale-form check: its revision and state and the last event about it. */
export const statementVersion = (body: { statement: { revision: number; status: string }; events: { id: string }[] }) => formVersion(body.statement.revision, body.statement.status, body.events.at(-1)?.id);

export function registerBillingActions(app: FastifyInstance, api: ApiCall, pages: { month: Page; statement: Page }): void {
  const q = (request: MonthRequest) => queryString({ label: request.query.label });
  const runRoute = (what: string) => (request: MonthRequest) => `/billing/runs/${request.params.month}/${what}${q(request)}`;
  const monthBack = (request: MonthRequest, done: string) => `/console/billing${queryString({ month: request.params.month, label: request.query.label, done })}`;
  const statementPath = (request: MonthRequest) => `${request.params.month}/statements/${encodeURIComponent(request.params.supplier ?? '')}`;
  const on = { config: { consoleRoles: OPERATORS } };
  /** The statement now (stale-form check of the resolution and the corrections; findings only add to the dispute). */
  const currentStatement = versionAt(api, (request: MonthRequest) => `/billing/runs/${statementPath(request)}${q(request)}`, statementVersion);

  app.post(
    '/billing/:month/override',
    on,
    billingForm(api, pages.month, { route: runRoute('override'), payload: (f) => ({ reason: trimmed(f.reason) }), form: 'override', back: monthBack }),
  );
  app.post(
    '/billing/:month/receipt-postage',
    on,
    billingForm(api, pages.month, { route: runRoute('receipt-postage'), payload: (f) => defined({ amountYen: typedNumber(f.amountYen), reference: trimmed(f.reference) }), form: 'postage', back: monthBack }),
  );
  app.post(
    '/billing/:month/payments',
    on,
    billingForm(api, pages.month, {
      route: runRoute('payments'),
      payload: (f) => {
        const [payeeKind, ...code] = (f.payee ?? '').split(':');
        return defined({ payeeKind, payeeCode: code.join(':'), amountYen: typedNumber(f.amountYen), paidOn: trimmed(f.paidOn), reference: trimmed(f.reference) });
      },
      form: 'payment',
      back: monthBack,
    }),
  );
  const statementBack = (request: MonthRequest, done: string) => `/console/billing/${statementPath(request)}${queryString({ label: request.query.label, done })}`;
  // An operator's answer on the open dispute: findings recorded, or the dispute closed with the resolution.
  for (const [what, field] of [['findings', 'findings'], ['resolve', 'resolution']] as const) {
    app.post(
      `/billing/:month/statements/:supplier/${what}`,
      on,
      billingForm(api, pages.statement, { route: (request) => `/billing/runs/${statementPath(request)}/${what}${q(request)}`, payload: (f) => ({ [field]: f[field] ?? '' }), form: what, back: statementBack, version: what === 'resolve' ? currentStatement : undefined }),
    );
  }
  app.post(
    '/billing/:month/statements/:supplier/corrections',
    on,
    billingForm(api, pages.statement, {
      route: (request) => `/billing/runs/${statementPath(request)}/corrections${q(request)}`,
      payload: (f) => ({
        reason: trimmed(f.reason),
        corrections: [
          defined({
            kind: f.kind,
            lineId: f.kind === 'add_shipment' ? undefined : f.lineId,
            shipmentId: f.kind === 'add_shipment' ? trimmed(f.shipmentId) : undefined,
            ...(f.kind === 'amend' ? { quantity: typedNumber(f.quantity), shippedOn: trimmed(f.shippedOn), procurementCostYen: typedNumber(f.procurementCostYen), shippingCostYen: typedNumber(f.shippingCostYen) } : {}),
          }),
        ],
      }),
      form: 'correction',
      errorPrefix: /^corrections\[0\]\./,
      back: statementBack,
      version: currentStatement,
    }),
  );
}
