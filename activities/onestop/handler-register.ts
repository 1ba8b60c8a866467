import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Handlebars from 'handlebars';
import { HANDLER_KIND_NAMES, handlerClearance } from '../../domain/onestop/handlers';
import { handlerNotices, listHandlers } from '../../ledger/mynumber-handlers';
import { keepRegisterReport } from '../../ledger/mynumber-register-reports';
import type { Orm } from '../../ledger/orm';
import { defaultTemplatesDir, type CityConfig, type DocumentRenderer } from '../documents/renderer';

const fontCss = (weight: number) => pathToFileURL(require.resolve(`@fontsource/noto-sans-jp/${weight}.css`)).href;
const NOTICES_SHOWN = 50;

/** MYNUM-1: the register printed for the city (templates/documents/mynumber-register.hbs), kept in the ledger. */
export function createHandlerRegisterActivities(deps: { orm: Orm; renderer: () => Promise<DocumentRenderer>; workDir: string }) {
  let template: Handlebars.TemplateDelegate | undefined;
  return {
    async printHandlerRegister(input: { reportId: string; asOf: string; requestedBy: string }): Promise<{ reportId: string; handlers: number; sha256: string }> {
      const knex = deps.orm.em.getKnex();
      const dir = defaultTemplatesDir();
      template ??= Handlebars.create().compile(fs.readFileSync(path.join(dir, 'mynumber-register.hbs'), 'utf8'), { strict: false });
      const city = JSON.parse(fs.readFileSync(path.join(dir, 'city.json'), 'utf8')) as CityConfig;
      const handlers = await listHandlers(knex);
      const notices = (await handlerNotices(knex, { to: input.asOf })).slice(-NOTICES_SHOWN).reverse();
      const html = template({
        fontCss400: fontCss(400),
        fontCss700: fontCss(700),
        city,
        issuer: '柳川市ふるさと納税 運営業務受託者',
        asOf: input.asOf,
        requestedBy: input.requestedBy,
        handlers: handlers.map((h) => {
          const clearance = handlerClearance(h, input.asOf);
          return {
            ...h,
            kindName: HANDLER_KIND_NAMES[h.kind],
            dispatchedLabel: h.dispatched ? '派遣' : '',
            approval: h.kind === 'responsible' ? (h.cityApprovedOn ?? '未承認') : '—',
            pledge: h.pledgeSignedOn ? `${h.pledgeSignedOn}${h.pledgeFile ? ` (${h.pledgeFile})` : ''}` : '未提出',
            cleared: clearance.cleared,
            state: clearance.cleared ? '取扱可' : `取扱不可: ${clearance.reason}`,
          };
        }),
        notices,
      });
      fs.mkdirSync(deps.workDir, { recursive: true });
      const pdf = await (await deps.renderer()).printHtml(html, path.join(deps.workDir, `mynumber-register-${input.reportId}.html`));
      const sha256 = createHash('sha256').update(pdf).digest('hex');
      await keepRegisterReport(knex, { id: input.reportId, asOf: input.asOf, handlers: handlers.length, pdf, sha256, requestedBy: input.requestedBy });
      return { reportId: input.reportId, handlers: handlers.length, sha256 };
    },
  };
}

export type HandlerRegisterActivities = ReturnType<typeof createHandlerRegisterActivities>;
