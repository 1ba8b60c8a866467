import { ApplicationFailure } from '@temporalio/common';
import type { Orm } from '../../ledger/orm';
import { recruitmentReport } from '../../ledger/recruitment';
import { recruitmentReportCsv } from '../../domain/gifts/recruitment';
import type { SendMail } from '../mail/send-mail';

/** One mail per month, however often the schedule or an operator runs it. */
export const recruitmentReportKey = (month: string) => `recruitment-report/${month}`;

const lastDay = (month: string) => {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

/** GIFT-6: the month's recruitment report (ledger/recruitment.ts) mailed to the city with its CSV (the API's report.csv). */
export function createRecruitmentReportActivities(deps: { orm: Orm; sendMail: SendMail; cityEmail?: string }) {
  return {
    async mailRecruitmentReport(input: { month: string }): Promise<{ status: string }> {
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(input.month)) throw ApplicationFailure.create({ type: 'RecruitmentReportInputError', message: `month ${input.month} is not YYYY-MM`, nonRetryable: true });
      const from = `${input.month}-01`;
      const to = lastDay(input.month);
      const r = await recruitmentReport(deps.orm.em.getKnex(), from, to);
      const t = r.totals;
      const result = await deps.sendMail({
        key: recruitmentReportKey(input.month),
        to: deps.cityEmail,
        template: 'recruitment-report',
        data: { month: input.month, from, to, briefings: t.briefings, attendees: t.attendees, wouldBe: t.wouldBe, interested: t.interested, inquiries: t.inquiries, proposed: t.proposed, approved: t.approved, rejected: t.rejected, approvedSuppliers: t.approvedSuppliers },
        attachments: [{ filename: `recruitment-report-${input.month}.csv`, content: recruitmentReportCsv(r).toString('base64'), encoding: 'base64', contentType: 'text/csv; charset=utf-8' }],
      });
      return { status: result.status };
    },
  };
}

export type RecruitmentReportActivities = ReturnType<typeof createRecruitmentReportActivities>;
