import { monthDays } from '../../domain/reports/month';
import { keepMonthlyHandlingReport, handlingReport } from '../../ledger/mynumber-handling';
import type { OneStopActivityDeps } from './onestop';

/** MYNUM-3 / MYNUM-6: the monthly handling report, compiled from the access log and kept as issued. */
export function createHandlingReportActivities(deps: Pick<OneStopActivityDeps, 'orm' | 'onestop'>) {
  return {
    async compileMonthlyHandlingReport(input: { month: string; requestedBy: string }): Promise<{ month: string; created: boolean; reads: number; refusals: number; anomalies: number }> {
      const knex = deps.orm.em.getKnex();
      const compiled = await handlingReport(knex, monthDays(input.month), deps.onestop.workingHours);
      const { report, created } = await keepMonthlyHandlingReport(knex, input.month, compiled, input.requestedBy);
      return { month: input.month, created, reads: report.totals.reads, refusals: report.totals.refusals, anomalies: report.anomalies.length };
    },
  };
}

export type HandlingReportActivities = ReturnType<typeof createHandlingReportActivities>;
