import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { AppConfig } from '../../config/env';
import type { Orm } from '../../ledger/orm';
import { billingRunId } from '../../domain/billing/month';
import {
  BillingError,
  billingEvents,
  correctStatementLines,
  findBillingRun,
  findStatement,
  recordDisputeFindings,
  recordReceiptPostage,
  statementDisputes,
  statementHeads,
  statementLines,
  type BillingRunRow,
  type LineCorrection,
} from '../../ledger/billing';
import { findInvoice, invoiceFile, invoicesOfRun, payables, payeePayments, recordPayeePayment } from '../../ledger/billing-invoices';
import { reportInspection } from '../../ledger/report-inspections';
import { billingRunView, startBillingRun } from '../../workflows/billing/client';
import { billingRunUpdates as updates } from '../../workflows/billing/definitions';
import { actorOf, supplierScope, type Principal } from '../auth';
import { READ, WRITE, type Json } from '../roles';
import { badRequest, HttpError, notFound } from '../errors';
import { closedObject, isoDate, limit, offset, recordCode, requiredWhen, yearMonth } from '../schema-fragments';
import { BILLING_RUN_STATUSES, listBillingRuns } from '../../ledger/billing-runs';

const month = yearMonth;
const label = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,39}$' } as const;
const runParams = { type: 'object', required: ['month'], properties: { month } } as const;
const statementParams = { type: 'object', required: ['month', 'supplier'], properties: { month, supplier: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const labelQuery = { type: 'object', additionalProperties: false, properties: { label } } as const;
/** A run is addressed by its month and, for a run limited to some suppliers, its label; a statement also by its supplier. */
const runAddress = { params: runParams, querystring: labelQuery } as const;
const statementAddress = { params: statementParams, querystring: labelQuery } as const;
const text = { type: 'string', minLength: 1, maxLength: 2000 } as const;
const yen = { type: 'integer', minimum: 1, maximum: 2_000_000_000 } as const;
const SUPPLIER_AND_STAFF = [...READ, 'supplier'] as const;

type RunRequest = FastifyRequest<{ Params: { month: string; supplier?: string }; Querystring: { label?: string }; Body: Json }>;

/**
 * BILL-1…5: monthly billing. Runs are addressed by month (and the label of a run
 * limited to some suppliers). Suppliers see and answer only their own statement;
 * the city decides the invoice; operators investigate, correct, override and record payments.
 */
export function registerBillingRoutes(app: FastifyInstance, { config, orm, temporal }: { config: AppConfig; orm: Orm; temporal: Client }): void {
  const knex = () => orm.em.getKnex();
  const runIdOf = (r: RunRequest) => billingRunId(r.params.month, r.query.label);

  async function loadRun(request: RunRequest): Promise<BillingRunRow> {
    const run = await findBillingRun(knex(), runIdOf(request));
    if (!run) throw notFound(`billing run ${runIdOf(request)}`);
    return run;
  }

  async function loadStatement(request: RunRequest) {
    const run = await loadRun(request);
    const own = supplierScope(request.principal!);
    const statement = await findStatement(knex(), run.id, request.params.supplier!);
    // A supplier learns nothing about another supplier's statement, not even that it exists.
    if (!statement || (own !== undefined && own !== statement.supplierCode)) throw notFound(`statement of ${request.params.supplier} in ${run.id}`);
    return { run, statement };
  }

  /** A route about one statement: what it does gets the run and the statement, once the principal may see it. */
  const onStatement =
    <R>(act: (loaded: Awaited<ReturnType<typeof loadStatement>>, request: RunRequest) => Promise<R>) =>
    async (request: RunRequest): Promise<R> =>
      act(await loadStatement(request), request);

  const ledger = async <R>(fn: () => Promise<R>): Promise<R> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof BillingError) throw new HttpError(err.status, err.status === 404 ? 'not_found' : err.status === 400 ? 'validation' : 'conflict', err.message);
      throw err;
    }
  };

  /** Sends one of the run's updates and answers with the workflow's result; a refusal is 409 with the validator's reason. */
  const update = async <R, A>(runId: string, definition: UpdateDefinition<R, [A]>, arg: A): Promise<R> => {
    try {
      return await temporal.workflow.getHandle(runId).executeUpdate(definition, { args: [arg] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new HttpError(409, 'rejected', err.cause?.message ?? err.message);
      if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'conflict', `billing run ${runId} has no running workflow`);
      throw err;
    }
  };

  app.post<{ Body: Json }>(
    '/billing/runs',
    {
      schema: {
        tags: ['billing'],
        summary: "Start a month's billing on demand (the schedule starts it on the 1st); a running month is returned as is",
        body: closedObject(['month'], { month, label, suppliers: { type: 'array', minItems: 1, maxItems: 500, items: { type: 'string', minLength: 1, maxLength: 64 } } }),
      },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      const b = request.body;
      if (!!b.label !== !!b.suppliers) throw new HttpError(400, 'validation', 'label and suppliers go together: a run for some suppliers only needs both');
      const r = await startBillingRun(temporal, config, { month: b.month, requestedBy: actorOf(request.principal!), scope: b.label ? { label: b.label, suppliers: b.suppliers } : undefined });
      return reply.code(r.started ? 201 : 200).send(r);
    },
  );

  app.get<{ Querystring: Json }>(
    '/billing/runs',
    {
      schema: {
        tags: ['billing'],
        summary: 'Every billing run, labelled runs (some suppliers only) included, newest month first: status from the ledger, statements confirmed, latest invoice; offset paging',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            month,
            label,
            scope: { type: 'string', enum: ['all', 'scoped'], description: 'all: runs for every supplier; scoped: runs limited to some suppliers' },
            status: { type: 'string', enum: [...BILLING_RUN_STATUSES] },
            supplier: { ...recordCode, description: 'Runs that bill this supplier' },
            limit: limit(200, 50),
            offset,
          },
        },
      },
      config: { roles: READ },
    },
    async (request) => {
      const q = request.query;
      return listBillingRuns(knex(), { month: q.month, label: q.label, scope: q.scope, status: q.status, supplierCode: q.supplier, limit: q.limit, offset: q.offset });
    },
  );

  app.get<{ Params: { month: string }; Querystring: { label?: string } }>(
    '/billing/runs/:month',
    { schema: { tags: ['billing'], summary: 'A billing run: stage, statements, invoice, ratio (5割), payables', ...runAddress }, config: { roles: READ } },
    async (request) => {
      const run = await loadRun(request as RunRequest);
      const invoice = await findInvoice(knex(), run.id);
      return {
        run,
        workflow: await billingRunView(temporal, run.id),
        statements: await statementHeads(knex(), run.id),
        invoices: (await invoicesOfRun(knex(), run.id)).map(({ content, ...i }) => ({ ...i, capFlags: content.capFlags.length })),
        ratio: invoice?.content.ratio ?? null,
        payables: await payables(knex(), run.id),
        // REPORT-1 / 13: the month's fees are paid only once its monthly report passed the city's inspection.
        reportInspection: await reportInspection(knex(), request.params.month),
      };
    },
  );

  app.get<{ Params: { month: string }; Querystring: { label?: string } }>(
    '/billing/runs/:month/events',
    { schema: { tags: ['billing'], summary: 'Every change of the run (append-only)', ...runAddress }, config: { roles: READ } },
    async (request) => ({ events: await billingEvents(knex(), (await loadRun(request as RunRequest)).id) }),
  );

  app.get<{ Params: { month: string; supplier: string }; Querystring: { label?: string } }>(
    '/billing/runs/:month/statements/:supplier',
    { schema: { tags: ['billing'], summary: 'One supplier\'s statement (a supplier sees its own only)', ...statementAddress }, config: { roles: [...SUPPLIER_AND_STAFF] } },
    async (request) => {
      const { run, statement } = await loadStatement(request as RunRequest);
      return {
        month: run.month,
        statement,
        lines: await statementLines(knex(), statement.statementId),
        disputes: await statementDisputes(knex(), statement.statementId),
        events: await billingEvents(knex(), run.id, { statementId: statement.statementId }),
      };
    },
  );

  const answer = (decision: 'confirm' | 'dispute') =>
    onStatement(({ run, statement }, { body: b, principal }) => update(run.id, updates.answerStatement, { supplierCode: statement.supplierCode, revision: b.revision, decision, reason: b.reason, lines: b.lines, actor: actorOf(principal!) }));

  app.post(
    '/billing/runs/:month/statements/:supplier/confirm',
    {
      schema: { tags: ['billing'], summary: 'The supplier confirms this revision of its statement', ...statementAddress, body: closedObject(['revision'], { revision: { type: 'integer', minimum: 1 } }) },
      config: { roles: ['supplier', 'admin'] },
    },
    answer('confirm'),
  );

  app.post(
    '/billing/runs/:month/statements/:supplier/dispute',
    {
      schema: {
        tags: ['billing'],
        summary: 'The supplier disputes its statement: which lines (or missing shipments) and why',
        ...statementAddress,
        body: {
          type: 'object',
          required: ['revision', 'reason'],
          additionalProperties: false,
          properties: {
            revision: { type: 'integer', minimum: 1 },
            reason: text,
            lines: { type: 'array', maxItems: 500, items: { type: 'object', required: ['note'], additionalProperties: false, properties: { lineId: { type: 'string', pattern: '^[0-9]{1,18}$' }, shipmentId: { type: 'string', format: 'uuid' }, note: text } } },
          },
        },
      },
      config: { roles: ['supplier', 'admin'] },
    },
    answer('dispute'),
  );

  app.post(
    '/billing/runs/:month/statements/:supplier/findings',
    {
      schema: { tags: ['billing'], summary: 'Investigation findings on the open dispute', ...statementAddress, body: closedObject(['findings'], { findings: text }) },
      config: { roles: WRITE },
    },
    onStatement(({ run, statement }, request) => ledger(() => recordDisputeFindings(knex(), { runId: run.id, supplierCode: statement.supplierCode, findings: request.body.findings, actor: actorOf(request.principal!) }))),
  );

  app.post(
    '/billing/runs/:month/statements/:supplier/corrections',
    {
      schema: {
        tags: ['billing'],
        summary: 'Correct statement lines (during a dispute, or after the city rejected the invoice)',
        ...statementAddress,
        body: {
          type: 'object',
          required: ['reason', 'corrections'],
          additionalProperties: false,
          properties: {
            reason: text,
            corrections: {
              type: 'array',
              minItems: 1,
              maxItems: 500,
              items: {
                type: 'object',
                required: ['kind'],
                additionalProperties: false,
                properties: {
                  kind: { type: 'string', enum: ['amend', 'void', 'add_shipment'] },
                  lineId: { type: 'string', pattern: '^[0-9]{1,18}$' },
                  shipmentId: { type: 'string', format: 'uuid' },
                  quantity: { type: 'integer', minimum: 1 },
                  shippedOn: isoDate,
                  procurementCostYen: { type: 'integer', minimum: 0 },
                  shippingCostYen: { type: 'integer', minimum: 0 },
                  carrier: { type: 'string', maxLength: 40 },
                },
              },
            },
          },
        },
      },
      config: { roles: WRITE },
    },
    onStatement(async ({ run, statement }, request) => {
      const corrections = request.body.corrections as LineCorrection[];
      corrections.forEach((c, i) => {
        if (c.kind === 'add_shipment' ? !('shipmentId' in c && c.shipmentId) : !('lineId' in c && c.lineId)) throw new HttpError(400, 'validation', `corrections[${i}] ${c.kind === 'add_shipment' ? 'shipmentId' : 'lineId'} is required`);
      });
      return { lines: await ledger(() => correctStatementLines(knex(), { runId: run.id, supplierCode: statement.supplierCode, corrections, reason: request.body.reason, actor: actorOf(request.principal!) })) };
    }),
  );

  app.post(
    '/billing/runs/:month/statements/:supplier/resolve',
    {
      schema: { tags: ['billing'], summary: 'Close the dispute: the corrected statement goes back to the supplier as the next revision', ...statementAddress, body: closedObject(['resolution'], { resolution: text }) },
      config: { roles: WRITE },
    },
    onStatement(({ run, statement }, request) => update(run.id, updates.resolveDispute, { supplierCode: statement.supplierCode, resolution: request.body.resolution, actor: actorOf(request.principal!) })),
  );

  app.post(
    '/billing/runs/:month/override',
    {
      schema: { tags: ['billing'], summary: 'Issue the invoice without every supplier\'s confirmation (reason recorded and printed)', ...runAddress, body: closedObject(['reason'], { reason: text }) },
      config: { roles: WRITE },
    },
    async (request: RunRequest) => {
      const run = await loadRun(request);
      return update(run.id, updates.overrideConfirmations, { actor: actorOf(request.principal!), reason: request.body.reason });
    },
  );

  app.post(
    '/billing/runs/:month/receipt-postage',
    {
      schema: { tags: ['billing'], summary: 'Actual receipt postage of the month (used instead of envelopes × unit price)', ...runAddress, body: closedObject(['amountYen', 'reference'], { amountYen: { type: 'integer', minimum: 0 }, reference: text }) },
      config: { roles: WRITE },
    },
    async (request: RunRequest) => {
      const run = await loadRun(request);
      await ledger(() => recordReceiptPostage(knex(), { runId: run.id, amountYen: request.body.amountYen, reference: request.body.reference, actor: actorOf(request.principal!) }));
      return { ok: true };
    },
  );

  const revisionQuery = { type: 'object', additionalProperties: false, properties: { label, revision: { type: 'integer', minimum: 1 } } } as const;

  app.get<{ Params: { month: string }; Querystring: { label?: string; revision?: number } }>(
    '/billing/runs/:month/invoice',
    { schema: { tags: ['billing'], summary: 'The invoice (latest revision unless asked): fee lines, statement by supplier and gift, cap flags, ratios', params: runParams, querystring: revisionQuery }, config: { roles: READ } },
    async (request) => {
      const run = await loadRun(request as unknown as RunRequest);
      const invoice = await findInvoice(knex(), run.id, request.query.revision);
      if (!invoice) throw notFound(`invoice of ${run.id}`);
      return invoice;
    },
  );

  const download = (kind: 'pdf' | 'csv') => async (request: FastifyRequest<{ Params: { month: string }; Querystring: { label?: string; revision?: number } }>, reply: FastifyReply) => {
    const run = await loadRun(request as unknown as RunRequest);
    const invoice = await findInvoice(knex(), run.id, request.query.revision);
    const body = invoice && (await invoiceFile(knex(), run.id, invoice.revision, kind));
    if (!invoice || !body) throw notFound(`invoice of ${run.id}`);
    return reply
      .header('content-type', kind === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${invoice.number}.${kind}"`)
      .send(body);
  };
  app.get('/billing/runs/:month/invoice.pdf', { schema: { tags: ['billing'], summary: 'The invoice as printed (PDF)', params: runParams, querystring: revisionQuery }, config: { roles: READ } }, download('pdf'));
  app.get('/billing/runs/:month/invoice.csv', { schema: { tags: ['billing'], summary: 'The invoice as CSV (UTF-8 with BOM)', params: runParams, querystring: revisionQuery }, config: { roles: READ } }, download('csv'));

  app.post(
    '/billing/runs/:month/invoice/decision',
    {
      schema: {
        tags: ['billing'],
        summary: "The city accepts the invoice (payment due in 30 days) or rejects it with a reason",
        ...runAddress,
        // A rejection says why.
        body: { ...closedObject(['revision', 'decision'], { revision: { type: 'integer', minimum: 1 }, decision: { type: 'string', enum: ['accept', 'reject'] }, reason: text }), ...requiredWhen('decision', ['accept'], 'reason', 'is required to reject') },
      },
      config: { roles: ['city', 'admin'] },
    },
    async (request: RunRequest) => {
      const run = await loadRun(request);
      const b = request.body;
      if (b.decision === 'reject' && !b.reason) throw new HttpError(400, 'validation', 'reason is required to reject');
      return update(run.id, updates.decideInvoice, { revision: b.revision, decision: b.decision, reason: b.reason, actor: actorOf(request.principal!) });
    },
  );

  app.post(
    '/billing/runs/:month/invoice/revisions',
    {
      schema: {
        tags: ['billing'],
        summary: 'Issue the corrected invoice after a rejection (statement corrections are made first; adjustments are extra lines)',
        ...runAddress,
        body: {
          type: 'object',
          required: ['reason'],
          additionalProperties: false,
          properties: {
            reason: text,
            adjustments: { type: 'array', default: [], maxItems: 50, items: { type: 'object', required: ['label', 'amountYen', 'reason'], additionalProperties: false, properties: { label: text, amountYen: { type: 'integer' }, reason: text } } },
          },
        },
      },
      config: { roles: WRITE },
    },
    async (request: RunRequest) => {
      const run = await loadRun(request);
      return update(run.id, updates.reviseInvoice, { actor: actorOf(request.principal!), reason: request.body.reason, adjustments: request.body.adjustments ?? [] });
    },
  );

  app.post(
    '/billing/runs/:month/invoice/payment-deadline',
    {
      schema: {
        tags: ['billing'],
        summary: "BILL-4: the city extends the accepted invoice's payment deadline by notice before it (new date after the current one, reason); reminders and the overdue flag follow",
        ...runAddress,
        body: closedObject(['newDueOn', 'reason'], { newDueOn: isoDate, reason: text }),
      },
      config: { roles: ['city', 'admin'] },
    },
    async (request: RunRequest) => {
      const run = await loadRun(request);
      const b = request.body;
      const current = (await findInvoice(knex(), run.id))?.paymentDueOn;
      if (current && !(b.newDueOn > current)) throw badRequest([{ field: 'newDueOn', reason: `must be after the current payment due date ${current}` }]);
      return update(run.id, updates.extendPaymentDeadline, { newDueOn: b.newDueOn, reason: b.reason, actor: actorOf(request.principal!) });
    },
  );

  app.post(
    '/billing/runs/:month/city-payments',
    {
      schema: {
        tags: ['billing'],
        summary: "The city's payment of the accepted invoice (BILL-4)",
        ...runAddress,
        body: closedObject(['amountYen', 'paidOn', 'reference'], { amountYen: yen, paidOn: isoDate, reference: text }),
      },
      config: { roles: [...WRITE, 'city'] },
    },
    async (request: RunRequest) => {
      const run = await loadRun(request);
      const b = request.body;
      return update(run.id, updates.recordCityPayment, { amountYen: b.amountYen, paidOn: b.paidOn, reference: b.reference, actor: actorOf(request.principal!) });
    },
  );

  app.get<{ Params: { month: string }; Querystring: { label?: string } }>(
    '/billing/runs/:month/payables',
    { schema: { tags: ['billing'], summary: 'BILL-2: owed to each supplier (procurement) and carrier (shipping), paid, outstanding', ...runAddress }, config: { roles: READ } },
    async (request) => {
      const run = await loadRun(request as RunRequest);
      return { payables: await payables(knex(), run.id), payments: await payeePayments(knex(), run.id) };
    },
  );

  app.post(
    '/billing/runs/:month/payments',
    {
      schema: {
        tags: ['billing'],
        summary: 'BILL-2: record a payment made to a supplier or a carrier',
        ...runAddress,
        body: {
          type: 'object',
          required: ['payeeKind', 'payeeCode', 'amountYen', 'paidOn', 'reference'],
          additionalProperties: false,
          properties: { payeeKind: { type: 'string', enum: ['supplier', 'carrier'] }, payeeCode: { type: 'string', minLength: 1, maxLength: 64 }, amountYen: yen, paidOn: isoDate, reference: text },
        },
      },
      config: { roles: WRITE },
    },
    async (request: RunRequest, reply) => {
      const run = await loadRun(request);
      const b = request.body;
      const payable = await ledger(() => recordPayeePayment(knex(), { runId: run.id, payeeKind: b.payeeKind, payeeCode: b.payeeCode, amountYen: b.amountYen, paidOn: b.paidOn, reference: b.reference, actor: actorOf(request.principal!) }));
      return reply.code(201).send(payable);
    },
  );
}
