import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fieldErrors, type ApiCall } from './api-client';
import type { ConsoleUser } from './plugin';

/**
 * One console form posted to the JSON API's own route as the person (issue 17): a success goes back
 * to the page with a notice; a 400 shows each field's reason at its field with what was typed; any
 * other refusal is shown in the API's words on the page, the typed values kept.
 */
export type Form = Record<string, string | undefined>;
export type FormRequest = FastifyRequest<{ Params: Record<string, string>; Querystring: Form; Body: Form }>;
export type FormPage<R> = (request: R, reply: FastifyReply, status: number, extra?: Record<string, unknown>) => Promise<unknown>;

export interface FormAction<R> {
  /** The API route (path and query) the form goes to. */
  route: (request: R) => string;
  payload: (form: Form) => unknown;
  /** The page gets `<form>Typed` and `<form>Errors`; a success comes back with `?done=<form>`. */
  form: string;
  /** The part of the API's field path before the form's own field name (corrections[0].). */
  errorPrefix?: RegExp;
  /** The form's own fields: a reason about anything else (the record the form acts on) is said in the banner. */
  fields?: readonly string[];
  back: (request: R, done: string) => string;
  /**
   * Stale-form check for a record that has a version: the record's version now. The page renders the version
   * it showed into each form (`seen`, see `formVersion`); a form opened before someone else changed the record
   * answers 409 with the page as it is now and what was typed, and nothing is sent to the API.
   */
  version?: (request: R) => Promise<string | undefined>;
}

/** Said when a form was opened before someone else changed the record (the donation page says the same of a donation). */
export const STALE_FORM = '画面を開いた後に、ほかの人がこの記録を変更しました。入力内容は送っていません（下の欄に残してあります）。最新の内容を確認してから、もう一度操作してください。';
export const STALE_HEADING = 'ほかの人が先に変更しました';

/** The version a page hands its forms: the record's change marks joined (an update time, a revision, the last history entry). */
export const formVersion = (...marks: unknown[]): string => marks.map((m) => (m === undefined || m === null ? '' : String(m))).join('/');

/**
 * The version of a record the API answers whole (a shipment, an application, a batch, a gift, a decision's facts):
 * a digest of its JSON without its live parts (the workflow's state, which moves by itself).
 */
export const recordVersion = (body: unknown, live: readonly string[] = ['workflow']): string =>
  createHash('sha256')
    .update(JSON.stringify(body ?? null, (key, v) => (live.includes(key) ? undefined : v)))
    .digest('base64url')
    .slice(0, 22);

/**
 * The notice a page shows after its own form's redirect (`?done=<form>`, post/redirect/get). Only the page's own
 * keys count: a hand-edited `?done=toString` shows nothing rather than whatever the object inherits.
 */
export const doneNotice = (done: string | string[] | undefined, notices: Readonly<Record<string, string>>): { notice?: string } =>
  typeof done === 'string' && Object.hasOwn(notices, done) ? { notice: notices[done] } : {};

/**
 * A form's `version` read through the record's own GET route as the person: undefined when the record cannot be
 * read (or the path is not one, e.g. a malformed id), so the stale check stands aside and the route decides.
 */
export const versionAt =
  <R extends { consoleUser?: ConsoleUser }>(api: ApiCall, path: (request: R) => string | undefined, version: (body: any) => string = recordVersion) =>
  async (request: R): Promise<string | undefined> => {
    const at = path(request);
    if (at === undefined) return undefined;
    const res = await api(request.consoleUser!, 'GET', at);
    return res.status === 200 ? version(res.body) : undefined;
  };

/** What a stale form's page says at the top (409), in the design system's error banner. */
export const STALE_ANSWER = { error: STALE_FORM, errorHeading: STALE_HEADING } as const;

/**
 * The stale-form check (formAction's `version`, also for a handler that sends its own request): true when the
 * record's version now is not the one the form was rendered with (`seen`). The caller then answers 409 with the
 * page as it is now, what was typed and `STALE_ANSWER`, and sends nothing.
 */
export async function staleForm<R extends { body: unknown }>(request: R, version: (request: R) => Promise<string | undefined>): Promise<boolean> {
  const now = await version(request);
  return now !== undefined && now !== ((request.body as Form | undefined)?.seen ?? '');
}

export function formAction<R extends FormRequest>(api: ApiCall, page: FormPage<R>, f: FormAction<R>) {
  return async (request: R, reply: FastifyReply) => {
    const keep = { [`${f.form}Typed`]: request.body ?? {} };
    if (f.version && (await staleForm(request, f.version))) return page(request, reply, 409, { ...keep, ...STALE_ANSWER });
    const res = await api(request.consoleUser!, 'POST', f.route(request), f.payload(request.body ?? {}));
    if (res.status >= 200 && res.status < 300) return reply.redirect(f.back(request, f.form), 303);
    if (res.status === 400) {
      const errors = fieldErrors(res.body, f.errorPrefix);
      const elsewhere = f.fields ? Object.entries(errors).filter(([field]) => !f.fields!.includes(field)) : [];
      const said = elsewhere.length ? elsewhere.map(([field, reason]) => `${field} ${reason}`).join('; ') : Object.keys(errors).length ? '入力内容を確認してください。' : String(res.body?.message ?? '');
      return page(request, reply, 400, { ...keep, [`${f.form}Errors`]: errors, error: said, errorHeading: '入力内容に誤りがあります' });
    }
    return page(request, reply, res.status, { ...keep, error: String(res.body?.message ?? '操作できませんでした。'), errorHeading: '操作できませんでした' });
  };
}

/** A typed amount as the API wants it: digits (commas and ¥ allowed) as a number, anything else as typed so the schema names the field. */
export function typedNumber(v: string | undefined): number | string | undefined {
  const t = (v ?? '').replace(/[,，¥￥\s]/g, '');
  if (t === '') return undefined;
  return /^\d+$/.test(t) ? Number(t) : (v as string);
}

export const trimmed = (v: string | undefined): string => (v ?? '').trim();

/** The fields that were filled in (an empty one is left out, so the API says it is required). */
export const defined = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));
