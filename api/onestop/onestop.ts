import type { FastifyInstance } from 'fastify';
import { physicalMediaSchema, planProperties, recordPhysicalMedia, type PhysicalDestructionBody } from './destruction-plan';
import { translate } from './translate';
import { assertReturnsConfirmed } from '../../ledger/mynumber-contract-end';
import type { DestructionPlan } from '../../ledger/destruction-plan';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { requireMyNumberKeys, type AppConfig, type Role } from '../../config/env';
import { jstDate } from '../../domain/jst';
import { ATTACHMENT_KINDS, type Attachment } from '../../domain/onestop/documents';
import type { Orm } from '../../ledger/orm';
import {
  acknowledgeAlert,
  assignResidence,
  findIncident,
  listAlerts,
  listIncidents,
  notificationStatus,
  recordIncident,
  applicationEvents,
  applicationNotices,
  applyChangeNotice,
  applyResubmission,
  decideDestruction,
  findDestruction,
  listDestructions,
  proposeDestruction,
  findApplication,
  findApplicationByDonation,
  myNumberAccessLog,
  oneStopSummary,
  OneStopError,
  readMyNumber,
  registerApplication,
  type ApplicationRow,
  type NewApplication,
  type StoredContent,
} from '../../ledger/onestop';
import { destructionDecidedSignal, oneStopStatusQuery, resubmittedSignal, retentionWorkflowId } from '../../workflows/onestop/definitions';
import { retentionDestructionWorkflow } from '../../workflows/onestop/retention-workflow';
import { ensureOneStopWorkflow, reportIncidentToCity } from '../../workflows/onestop/client';
import { onestopNotificationWorkflow } from '../../workflows/onestop/notification-workflow';
import { incidentReportText } from '../../domain/onestop/incidents';
import { isMunicipalityCode, MUNICIPALITY_CODES, municipalityByCode } from '../../domain/onestop/municipality';
import { notificationDueOn } from '../../domain/onestop/notification';
import { AesGcmPayloadCodec } from '../../domain/onestop/payload-codec';
import { handlingArea } from '../../domain/onestop/handling-area';
import { destructionReportText, type DestructionForReport } from '../../domain/onestop/destruction-report';
import type { Payload } from '@temporalio/common';
import { actorOf } from '../auth';
import { READ, WRITE, type Json } from '../roles';
import { ONLINE_INTAKE_REFUSAL, onlineIntakeGate } from './online-approval';
import { badRequest, conflict, found, HttpError, notFound } from '../errors';
import { myNumberHandler } from './my-number-handler';
import { clearForMyNumber } from '../../ledger/mynumber-handlers';
import { closedObject, historicDate, oneOfRequired } from '../schema-fragments';

/**
 * SEC-1/SEC-2: reading a 個人番号 is for the administrator only (the
 * designated 事務取扱担当者 holds an admin token); operators review on the
 * verdict (valid / missing / bad check digit) and never need the digits.
 */
const MY_NUMBER_READERS: Role[] = ['admin'];

const date = { type: 'string', format: 'date' } as const;
const text = (max = 200) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;

const attachment = closedObject(['kind'] as const, {
    kind: { type: 'string', enum: ATTACHMENT_KINDS },
    sides: { type: 'array', items: { type: 'string', enum: ['front', 'back'] }, minItems: 1, maxItems: 2 },
    matchesApplication: { type: 'boolean' },
    issuedOn: historicDate,
} as const);

const applicant = closedObject(['name', 'nameKana', 'address'] as const, {
    name: text(100),
    nameKana: text(100),
    postalCode: text(10),
    address: text(300),
    phone: text(30),
    email: { type: 'string', format: 'email', maxLength: 254 },
    birthDate: historicDate,
    // 旧様式 only; read so the form can be typed as written, then dropped (not needed for the deduction).
    gender: { type: 'string', maxLength: 10 },
} as const);

/** Written on the form; a wrong or missing number is a finding (deficiency notice), not a refused request. */
const myNumber = { type: 'string', maxLength: 40, description: '個人番号 as written; sealed at once, never returned here' } as const;

const donationRef = {
  donationId: { type: 'string', format: 'uuid' },
  portal: text(40),
  portalOrderId: text(100),
} as const;

/** The donation an application belongs to (ledger/onestop.ts): by id, or by portal and order number. */
const DONATION_REFERENCE = { field: 'donation', reason: 'donationId or portal and portalOrderId are required' };

const paperBody = {
  type: 'object',
  additionalProperties: false,
  required: ['arrivedOn', 'scanRef', 'formVersion', 'applicant', 'checkboxes', 'attachments'],
  properties: {
    ...donationRef,
    arrivedOn: { ...date, description: '書類到着日' },
    scanRef: { ...text(500), description: 'where the scanned 申請書 and copies are stored' },
    formVersion: { type: 'string', enum: ['current', 'old_with_gender'] },
    applicant,
    myNumber,
    donationDate: date,
    amountYen: { type: 'integer', minimum: 1 },
    checkboxes: { type: 'object', additionalProperties: false, required: ['first', 'second'], properties: { first: { type: 'boolean' }, second: { type: 'boolean' } } },
    attachments: { type: 'array', maxItems: 10, items: attachment },
  },
  ...oneOfRequired(DONATION_REFERENCE, 'donationId', ['portal', 'portalOrderId']),
} as const;

/** Shaped after 自治体マイページ-style services: their application number, the submission time, JPKI or uploaded images. */
const onlineBody = {
  type: 'object',
  additionalProperties: false,
  required: ['service', 'applicationNumber', 'submittedAt', 'applicant', 'declarations', 'identityVerification'],
  properties: {
    service: { type: 'string', pattern: '^[a-z0-9-]{2,40}$' },
    applicationNumber: text(100),
    submittedAt: { type: 'string', format: 'date-time' },
    ...donationRef,
    applicant,
    myNumber,
    donationDate: date,
    amountYen: { type: 'integer', minimum: 1 },
    declarations: {
      type: 'object',
      additionalProperties: false,
      required: ['specialTaxpayer', 'fiveOrFewerMunicipalities'],
      properties: { specialTaxpayer: { type: 'boolean' }, fiveOrFewerMunicipalities: { type: 'boolean' } },
    },
    identityVerification: {
      type: 'object',
      additionalProperties: false,
      required: ['method'],
      properties: { method: { type: 'string', enum: ['jpki', 'image_upload'] }, images: { type: 'array', maxItems: 10, items: attachment } },
    },
  },
  ...oneOfRequired(DONATION_REFERENCE, 'donationId', ['portal', 'portalOrderId']),
} as const;

const resubmissionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['arrivedOn'],
  properties: {
    arrivedOn: date,
    scanRef: text(500),
    myNumber,
    attachments: { type: 'array', maxItems: 10, items: attachment },
    applicant: { ...applicant, required: [] },
    donationDate: date,
    amountYen: { type: 'integer', minimum: 1 },
    checkboxes: { type: 'object', additionalProperties: false, properties: { first: { type: 'boolean' }, second: { type: 'boolean' } } },
  },
} as const;

const changeNoticeBody = closedObject(['arrivedOn', 'reason', 'changes'] as const, {
    arrivedOn: date,
    scanRef: text(500),
    reason: text(500),
    changes: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { name: text(100), nameKana: text(100), postalCode: text(10), address: text(300), phone: text(30) },
    },
} as const);

function applicantContent(a: Json): Pick<StoredContent, 'name' | 'nameKana' | 'address' | 'postalCode' | 'phone' | 'email' | 'birthDate'> {
  const out: Json = {};
  for (const k of ['name', 'nameKana', 'address', 'postalCode', 'phone', 'email', 'birthDate']) if (a[k] !== undefined) out[k] = a[k];
  return out as any;
}

/** REC-1: the day a proposal is made for: today (JST) unless an earlier day is asked; never a later one (400 at asOf). Shared with api/retention. */
export function proposalAsOf(asked: string | undefined): string {
  const today = jstDate(new Date());
  const asOf = asked ?? today;
  if (asOf > today) throw badRequest([{ field: 'asOf', reason: 'must not be in the future: retention is not shortened by asking early' }]);
  return asOf;
}

export { translate } from './translate';

/** ONESTOP-1…5, DOCS-5, SEC-1: one-stop applications on paper and online, their review and the sealed 個人番号. */
/** How long POST /incidents waits for the city mail's outcome: one SMTP attempt (20 s) and the resend of a few waiting ones. */
const INCIDENT_MAIL_WAIT_MS = 60_000;

export function registerOneStopRoutes(app: FastifyInstance, { config, orm, temporal }: { config: AppConfig; orm: Orm; temporal: Client }): void {
  const keyring = requireMyNumberKeys(config);
  const area = handlingArea(config.onestop.handlingArea);
  if (keyring.insecureDevKey) app.log.warn('個人番号 are sealed with the INSECURE development key (MY_NUMBER_KEYS unset): do not enter real numbers');
  const knex = () => orm.em.getKnex();

  const start = (a: ApplicationRow) => ensureOneStopWorkflow(temporal, a, { taskQueue: config.temporal.taskQueue, reminderDaysBefore: config.onestop.reminderDaysBefore });

  const applicationJson = (a: ApplicationRow) => ({
    id: a.id,
    donationId: a.donationId,
    workflowId: a.workflowId,
    channel: a.channel,
    status: a.status,
    arrivedOn: a.arrivedOn,
    deadlineOn: a.deadlineOn,
    scanRef: a.scanRef,
    online: a.online,
    formVersion: a.content.formVersion,
    content: a.currentContent,
    changedParticulars: a.changedParticulars,
    myNumber: { verdict: a.myNumber.verdict, sealed: a.myNumber.sealed, destroyedAt: a.myNumber.destroyedAt },
    findings: a.findings,
    reviewRound: a.reviewRound,
    decidedAt: a.decidedAt,
    createdBy: a.createdBy,
    createdAt: a.createdAt,
  });

  async function intake(input: NewApplication, actor: string, reply: any) {
    const { application, created } = await registerApplication(knex(), keyring, input, actor).catch(translate);
    // A crash between the insert and the start is healed by sending the same request again.
    await start(application);
    return reply.code(created ? 201 : 200).send(applicationJson(application));
  }

  app.post<{ Body: Json }>(
    '/onestop/applications/paper',
    { schema: { tags: ['onestop'], summary: 'Enter a 申告特例申請書 received on paper (ONESTOP-1)', body: paperBody }, config: { roles: WRITE } },
    async (request, reply) => {
      const b = request.body;
      return intake(
        {
          donation: { donationId: b.donationId, portal: b.portal, portalOrderId: b.portalOrderId },
          channel: 'paper',
          arrivedOn: b.arrivedOn,
          scanRef: b.scanRef,
          content: {
            formVersion: b.formVersion,
            ...applicantContent(b.applicant),
            donationDate: b.donationDate,
            amountYen: b.amountYen,
            checkboxes: b.checkboxes,
            attachments: b.attachments as Attachment[],
          },
          myNumber: b.myNumber,
        },
        actorOf(request.principal!),
        reply,
      );
    },
  );

  app.post<{ Body: Json }>(
    '/onestop/applications/online',
    { schema: { tags: ['onestop'], summary: 'Receive an online application from a linked service (ONESTOP-3, ONESTOP-5)', body: onlineBody, response: ONLINE_INTAKE_REFUSAL }, config: { roles: WRITE }, ...onlineIntakeGate({ orm }) },
    async (request, reply) => {
      const b = request.body;
      const jpki = b.identityVerification.method === 'jpki';
      return intake(
        {
          donation: { donationId: b.donationId, portal: b.portal, portalOrderId: b.portalOrderId },
          channel: 'online',
          arrivedOn: jstDate(new Date(b.submittedAt)),
          online: { service: b.service, reference: b.applicationNumber },
          content: {
            formVersion: 'current',
            ...applicantContent(b.applicant),
            donationDate: b.donationDate,
            amountYen: b.amountYen,
            checkboxes: { first: b.declarations.specialTaxpayer, second: b.declarations.fiveOrFewerMunicipalities },
            attachments: (b.identityVerification.images ?? []) as Attachment[],
            verifiedByJpki: jpki,
          },
          myNumber: b.myNumber,
        },
        actorOf(request.principal!),
        reply,
      );
    },
  );

  app.get<{ Querystring: { donationId: string } }>(
    '/onestop/applications',
    {
      schema: { tags: ['onestop'], summary: "A donation's application", querystring: { type: 'object', required: ['donationId'], additionalProperties: false, properties: { donationId: { type: 'string', format: 'uuid' } } } },
      config: { roles: READ },
    },
    async (request) => {
      const a = await findApplicationByDonation(knex(), request.query.donationId);
      if (!a) throw notFound(`one-stop application for donation ${request.query.donationId}`);
      return applicationJson(a);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/onestop/applications/:id',
    { schema: { tags: ['onestop'], summary: 'Status, findings, history and notices of an application (ONESTOP-2)', params: idParams }, config: { roles: READ } },
    async (request) => {
      const first = await findApplication(knex(), request.params.id);
      if (!first) throw notFound(`one-stop application ${request.params.id}`);
      // The workflow first, the ledger after: whatever state the workflow reports, its ledger writes are already visible.
      let workflow: unknown = null;
      try {
        workflow = await temporal.workflow.getHandle(first.workflowId).query(oneStopStatusQuery);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) request.log.warn({ workflowId: first.workflowId }, 'one-stop workflow status unavailable');
      }
      const a = (await findApplication(knex(), first.id))!;
      const [events, notices] = await Promise.all([applicationEvents(knex(), a.id), applicationNotices(knex(), a.id)]);
      return { ...applicationJson(a), history: events, notices, workflow };
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/onestop/applications/:id/resubmission',
    { schema: { tags: ['onestop'], summary: 'Missing documents or corrections after a deficiency notice', params: idParams, body: resubmissionBody }, config: { roles: WRITE } },
    async (request, reply) => {
      const b = request.body;
      const a = await findApplication(knex(), request.params.id);
      if (!a) throw notFound(`one-stop application ${request.params.id}`);
      const changes: Json = { ...applicantContent(b.applicant ?? {}) };
      if (b.donationDate !== undefined) changes.donationDate = b.donationDate;
      if (b.amountYen !== undefined) changes.amountYen = b.amountYen;
      if (b.checkboxes) changes.checkboxes = { ...a.currentContent.checkboxes, ...b.checkboxes };
      const actor = actorOf(request.principal!);
      const { eventId } = await applyResubmission(knex(), keyring, a.id, { arrivedOn: b.arrivedOn, scanRef: b.scanRef, changes, attachments: b.attachments, myNumber: b.myNumber }, actor).catch(translate);
      // start() also heals an intake whose workflow never started (crash between insert and start).
      await (await start(a)).signal(resubmittedSignal, { eventId, actor });
      return reply.code(202).send({ eventId, applicationId: a.id });
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/onestop/applications/:id/change-notice',
    { schema: { tags: ['onestop'], summary: '申告特例申請事項変更届出書: name or address changed before January 1', params: idParams, body: changeNoticeBody }, config: { roles: WRITE } },
    async (request, reply) => {
      const b = request.body;
      const { eventId, currentContent } = await applyChangeNotice(knex(), request.params.id, { arrivedOn: b.arrivedOn, scanRef: b.scanRef, reason: b.reason, changes: b.changes }, actorOf(request.principal!)).catch(translate);
      return reply.code(200).send({ eventId, particulars: { name: currentContent.name, nameKana: currentContent.nameKana, postalCode: currentContent.postalCode ?? null, address: currentContent.address } });
    },
  );

  app.get<{ Params: { id: string }; Querystring: { reason: string } }>(
    '/onestop/applications/:id/my-number',
    {
      schema: {
        tags: ['onestop'],
        summary: 'Read the 個人番号 (admin on the MYNUM-1 register with the city told, pledge and training, from a terminal inside the MYNUM-2 取扱区域; every read is logged with its reason and terminal, every refusal too)',
        params: idParams, querystring: closedObject(['reason'] as const, { reason: { type: 'string', minLength: 4, maxLength: 500 } } as const),
      },
      config: { roles: MY_NUMBER_READERS },
    },
    async (request, reply) => {
      const value = await readMyNumber(knex(), keyring, area, request.params.id, myNumberHandler(request.principal!, request.ip), request.query.reason).catch(translate);
      reply.header('cache-control', 'no-store');
      return { applicationId: request.params.id, myNumber: value ?? null };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/onestop/applications/:id/my-number/access-log',
    { schema: { tags: ['onestop'], summary: 'Who read this 個人番号, when and why', params: idParams }, config: { roles: ['admin', 'city'] } },
    async (request) => {
      const a = await findApplication(knex(), request.params.id);
      if (!a) throw notFound(`one-stop application ${request.params.id}`);
      return { applicationId: a.id, reads: await myNumberAccessLog(knex(), a.id) };
    },
  );

  registerCodecServer(app, config, new AesGcmPayloadCodec(keyring));

  app.post<{ Body: { asOf?: string; applicationIds?: string[] } & DestructionPlan }>(
    '/onestop/retention/destructions',
    {
      schema: {
        tags: ['onestop'],
        summary: 'REC-1: propose destroying 個人番号 and images whose retention ended (the city approves); MYNUM-5: with a planned date and physical media',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            asOf: { ...date, description: 'default today (JST); never later' },
            applicationIds: { type: 'array', minItems: 1, maxItems: 10_000, uniqueItems: true, items: { type: 'string', format: 'uuid' }, description: 'only these of what is due (the city asks for part of it); each must be due' },
            ...planProperties,
          },
        },
      },
      config: { roles: ['admin'] },
    },
    async (request, reply) => {
      const { asOf: asked, applicationIds, ...plan } = request.body ?? {};
      const asOf = proposalAsOf(asked);
      const proposed = await proposeDestruction(knex(), { asOf, retentionYears: config.onestop.retentionYears, plan, applicationIds }, actorOf(request.principal!)).catch(translate);
      const id = proposed.id!;
      const count = proposed.count;
      await temporal.workflow.start(retentionDestructionWorkflow, { taskQueue: config.temporal.taskQueue, workflowId: retentionWorkflowId(id), args: [{ destructionId: id, ...(plan.plannedOn ? { plannedOn: plan.plannedOn } : {}) }] });
      return reply.code(201).send({ id, count, retentionYears: config.onestop.retentionYears, asOf, plannedOn: plan.plannedOn ?? null, status: 'proposed' });
    },
  );
  app.post<{ Params: { id: string }; Body: PhysicalDestructionBody }>(
    '/onestop/retention/destructions/:id/physical-media',
    { schema: { tags: ['onestop'], ...physicalMediaSchema }, config: { roles: ['admin'] } },
    async (request, reply) => reply.code(201).send(await recordPhysicalMedia(knex(), 'onestop', request)),
  );

  app.post<{ Params: { id: string }; Body: { approve: boolean; reason: string; witness?: string } }>(
    '/onestop/retention/destructions/:id/decision',
    {
      schema: {
        tags: ['onestop'],
        summary: "REC-1: the city's approval (or refusal) of a proposed destruction",
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['approve', 'reason'], properties: { approve: { type: 'boolean' }, reason: text(500), witness: { ...text(200), description: 'MYNUM-5: the city’s witness (立会人) present at the destruction, when the city sends one' } } },
      },
      config: { roles: ['city'] },
    },
    async (request, reply) => {
      const actor = actorOf(request.principal!);
      // MYNUM-5: a contract-end destruction waits for the city's confirmed copy of every year it is to get back.
      if (request.body.approve) await assertReturnsConfirmed(knex(), request.params.id).catch(translate);
      await decideDestruction(knex(), request.params.id, request.body.approve, actor, request.body.reason, request.body.witness).catch(translate);
      await temporal.workflow.getHandle(retentionWorkflowId(request.params.id)).signal(destructionDecidedSignal, { approve: request.body.approve, actor });
      return reply.code(202).send({ id: request.params.id, status: request.body.approve ? 'approved' : 'rejected' });
    },
  );

  app.get<{ Querystring: { status?: string } }>(
    '/onestop/retention/destructions',
    {
      schema: {
        tags: ['onestop'],
        summary: 'REC-1: the destruction proposals, newest first (status=proposed: those waiting for the city)',
        querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['proposed', 'approved', 'rejected', 'done'] } } },
      },
      config: { roles: ['city', 'admin'] },
    },
    async (request) => ({ destructions: await listDestructions(knex(), { status: request.query.status }) }),
  );

  app.get<{ Params: { id: string } }>(
    '/onestop/retention/destructions/:id/report.txt',
    { schema: { tags: ['onestop'], summary: 'MYNUM-5: the written report of a carried-out destruction (日時・実施者・方法・項目・件数・立会人), Japanese text', params: idParams }, config: { roles: ['city', 'admin'] } },
    async (request, reply) => {
      const d = await findDestruction(knex(), request.params.id);
      if (!d) throw notFound(`destruction ${request.params.id}`);
      const text = destructionReportText(d as DestructionForReport);
      if (!text) throw conflict(`destruction ${request.params.id} is ${d.status}: a report exists only once it is done`);
      return reply.header('content-type', 'text/plain; charset=utf-8').send(text);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/onestop/retention/destructions/:id',
    { schema: { tags: ['onestop'], summary: 'REC-1: a destruction and its record (items, medium, count, method, date, person) for the city', params: idParams }, config: { roles: ['city', 'admin'] } },
    async (request) => {
      const d = await findDestruction(knex(), request.params.id);
      if (!d) throw notFound(`destruction ${request.params.id}`);
      return d;
    },
  );

  // ───────────── ONESTOP-4: 申告特例通知書 ─────────────

  const yearParams = { type: 'object', required: ['year'], properties: { year: { type: 'integer', minimum: 2008, maximum: 2100 } } } as const;

  app.post<{ Body: { year: number } }>(
    '/onestop/notifications',
    {
      schema: {
        tags: ['onestop'],
        summary: 'ONESTOP-4: write the 申告特例通知書 files of a donation year into the city drop folder now (idempotent)',
        body: { type: 'object', additionalProperties: false, required: ['year'], properties: { year: { type: 'integer', minimum: 2008, maximum: 2100, description: 'donation year' } } },
      },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      const { year } = request.body;
      // The notices of a year are due the following year: a year still running would deliver an incomplete set.
      if (year >= Number(jstDate(new Date()).slice(0, 4))) throw badRequest([{ field: 'year', reason: 'the donation year is not over yet' }]);
      // MYNUM-1/2: the run opens every number of the year; a person starts it only from the register and the 取扱区域.
      const clearance = await clearForMyNumber(knex(), { ...myNumberHandler(request.principal!, request.ip), action: 'export', reasonGiven: `申告特例通知書 ${year}年分の作成` }, area);
      if (!clearance.cleared) throw new HttpError(403, 'forbidden', `申告特例通知書を作成できません: ${clearance.reason}`);
      const workflowId = `onestop-notification/${year}`;
      // A run already going for the year is joined, not repeated; a finished one may run again (it rewrites the same bytes).
      await temporal.workflow.start(onestopNotificationWorkflow, {
        taskQueue: config.temporal.taskQueue,
        workflowId,
        args: [{ donationYear: year, requestedBy: actorOf(request.principal!) }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
      return reply.code(202).send({ year, workflowId, dueOn: notificationDueOn(year, config.onestop.notificationDate), status: `GET /onestop/notifications/${year}` });
    },
  );

  app.get<{ Params: { year: number } }>(
    '/onestop/notifications/:year',
    { schema: { tags: ['onestop'], summary: 'ONESTOP-4: deliveries of a donation year, and applications not in them (for an operator)', params: yearParams }, config: { roles: READ } },
    async (request) => ({ ...(await notificationStatus(knex(), request.params.year)), dueOn: notificationDueOn(request.params.year, config.onestop.notificationDate) }),
  );

  app.put<{ Params: { id: string }; Body: { code: string; reason: string } }>(
    '/onestop/applications/:id/residence',
    {
      schema: {
        tags: ['onestop'],
        summary: "ONESTOP-4: an operator names the donor's residence municipality (団体コード) where the address does not",
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['code', 'reason'], properties: { code: { type: 'string', enum: MUNICIPALITY_CODES, description: '団体コード (6 digits) of a municipality that levies 住民税', 'x-reason': 'is not the 団体コード of a municipality that levies 住民税 (a ward of a 政令指定都市 goes to its city)' }, reason: text(500) } },
      },
      config: { roles: WRITE },
    },
    async (request) => {
      const { code, reason } = request.body;
      if (!isMunicipalityCode(code)) throw badRequest([{ field: 'code', reason: 'is not the 団体コード of a municipality that levies 住民税 (a ward of a 政令指定都市 goes to its city)' }]);
      await assignResidence(knex(), request.params.id, code, reason, actorOf(request.principal!)).catch(translate);
      return { applicationId: request.params.id, residence: municipalityByCode(code) };
    },
  );

  // ───────────── alerts: 申告特例通知書 due, addresses to fix, destructions awaiting the city ─────────────

  app.get<{ Querystring: { open?: boolean } }>(
    '/onestop/alerts',
    {
      schema: { tags: ['onestop'], summary: 'What operators and the city must look at (ONESTOP-4 reminders and problems, REC-1 proposals)', querystring: { type: 'object', additionalProperties: false, properties: { open: { type: 'boolean' } } } },
      config: { roles: READ },
    },
    async (request) => ({ alerts: await listAlerts(knex(), { open: request.query.open }) }),
  );

  app.post<{ Params: { id: string } }>(
    '/onestop/alerts/:id/acknowledge',
    { schema: { tags: ['onestop'], summary: 'Mark an alert as seen', params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,18}$' } } } }, config: { roles: READ } },
    async (request) => {
      await acknowledgeAlert(knex(), request.params.id, actorOf(request.principal!)).catch(translate);
      return { id: request.params.id, acknowledged: true };
    },
  );

  // ───────────── SEC-3: incidents ─────────────

  app.post<{ Body: Json }>(
    '/incidents',
    {
      schema: {
        tags: ['incidents'],
        summary: 'SEC-3: record an incident; the city sees it at once (GET /incidents)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['content', 'place', 'circumstances', 'discoveredAt', 'reportedBy'],
          properties: {
            content: { ...text(2000), description: 'what happened (漏えい, 紛失, 誤送付, …)' },
            affectedPeople: { type: 'integer', minimum: 0, description: 'people affected (at least one of the two counts)' },
            affectedRecords: { type: 'integer', minimum: 0, description: 'records affected' },
            place: text(500),
            circumstances: text(4000),
            discoveredAt: { type: 'string', format: 'date-time', description: 'not in the future (more than 5 minutes ahead is a 400 naming discoveredAt)' },
            reportedBy: { ...text(200), description: 'who reports it (name, position)' },
          },
          ...oneOfRequired({ field: 'affectedPeople', reason: 'give the number of people or of records affected (or both)' }, 'affectedPeople', 'affectedRecords'),
        },
      },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      const b = request.body;
      const incident = await recordIncident(
        knex(),
        { content: b.content, affectedPeople: b.affectedPeople, affectedRecords: b.affectedRecords, place: b.place, circumstances: b.circumstances, discoveredAt: b.discoveredAt, reportedBy: b.reportedBy },
        actorOf(request.principal!),
      ).catch(translate);
      // The record is already the city's to read; incidentReportWorkflow mails the report text to the
      // city, and the answer carries the mail's outcome (or, if it is slow, what the ledger says).
      const cityMail = await reportIncidentToCity(temporal, incident.id, { taskQueue: config.temporal.taskQueue, waitMs: INCIDENT_MAIL_WAIT_MS });
      const reported = cityMail ? { ...incident, cityMail } : ((await findIncident(knex(), incident.id).catch(() => undefined)) ?? incident);
      return reply.code(201).send({ ...reported, report: incidentReportText(reported) });
    },
  );

  app.get(
    '/incidents',
    { schema: { tags: ['incidents'], summary: 'SEC-3: incidents reported to the city, newest first' }, config: { roles: ['city', 'admin', 'operator'] } },
    async () => ({ incidents: await listIncidents(knex()) }),
  );

  app.get<{ Params: { id: string } }>(
    '/incidents/:id',
    { schema: { tags: ['incidents'], summary: 'SEC-3: one incident and its report text', params: idParams }, config: { roles: ['city', 'admin', 'operator'] } },
    async (request) => {
      const incident = found(await findIncident(knex(), request.params.id), `incident ${request.params.id}`);
      return { ...incident, report: incidentReportText(incident) };
    },
  );

  app.get(
    '/onestop/summary',
    { schema: { tags: ['onestop'], summary: 'For the city: counts per state, deficiencies outstanding, days to each deadline' }, config: { roles: READ } },
    async () => oneStopSummary(knex(), jstDate(new Date())),
  );
}

const codecBody = {
  type: 'object',
  required: ['payloads'],
  properties: {
    payloads: {
      type: 'array',
      maxItems: 1000,
      items: { type: 'object', properties: { metadata: { type: 'object', additionalProperties: { type: 'string' } }, data: { type: 'string' } } },
    },
  },
} as const;

type JsonPayload = { metadata?: Record<string, string>; data?: string };
const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/**
 * Codec server for the Temporal UI (Settings → Codec Server → this API's
 * /codec): only an admin token decodes, so the UI shows ciphertext to everyone
 * else. CORS lets the UI's origin call it from the browser; the preflight
 * itself carries no token and reveals nothing.
 */
function registerCodecServer(app: FastifyInstance, config: AppConfig, codec: AesGcmPayloadCodec): void {
  const origins = new Set([`http://127.0.0.1:${config.temporal.uiPort}`, `http://localhost:${config.temporal.uiPort}`, ...config.onestop.codecCorsOrigins]);
  const cors = (origin: string | undefined, reply: any) => {
    if (origin && origins.has(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'origin');
      reply.header('access-control-allow-credentials', 'true');
      reply.header('access-control-allow-headers', 'authorization, content-type, x-namespace');
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
    }
  };
  for (const op of ['decode', 'encode'] as const) {
    app.options(`/codec/${op}`, { schema: { hide: true } }, async (request, reply) => {
      cors(request.headers.origin, reply);
      return reply.code(204).send();
    });
    app.post<{ Body: { payloads: JsonPayload[] } }>(
      `/codec/${op}`,
      { schema: { tags: ['system'], summary: `Temporal codec server: ${op} payloads (admin only)`, body: codecBody }, config: { roles: ['admin'] } },
      async (request, reply) => {
        cors(request.headers.origin, reply);
        const payloads = request.body.payloads.map(fromJson);
        const out = op === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
        reply.header('cache-control', 'no-store');
        return { payloads: out.map(toJson) };
      },
    );
  }
}
