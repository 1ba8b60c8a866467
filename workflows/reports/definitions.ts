import type { Duration } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';

export interface MonthlyReportInput {
  /** YYYY-MM (Japan). */
  month: string;
  kind: 'scheduled' | 'on_demand';
  requestedBy: string;
  /** REPORT-1: due by the end of this day of the next month (REPORT_DUE_DAY, 10). */
  dueDay: number;
  /** Scheduled runs: days before the due day that a report still not built is recorded as a reminder (0 = none). */
  reminderDaysBefore: number;
  /** Wait between build attempts once the activity's own retries are spent (default 1 hour). */
  retryInterval?: Duration;
}

export interface MonthlyReportScheduleInput {
  requestedBy: string;
  dueDay: number;
  reminderDaysBefore: number;
  retryInterval?: Duration;
}

export type MonthlyReportStatus = 'building' | 'waiting_to_retry' | 'built' | 'notified';

export interface MonthlyReportView {
  month: string;
  status: MonthlyReportStatus;
  attempts: number;
  lastError?: string;
  /** Alerts recorded by this run: build_failed, reminder, overdue, built_late. */
  alerts: string[];
  reportId?: string;
  revision?: number;
  late?: boolean;
  noticeStatus?: string;
}

export const monthlyReportStatusQuery = defineQuery<MonthlyReportView>('monthlyReportStatus');
