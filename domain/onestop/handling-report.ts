import type { ClockTime } from '../callcentre/hours';
import { holidayName } from '../intake/business-days';
import { jstDate } from '../jst';

/**
 * MYNUM-3 / MYNUM-6 (特記9, 13): the means to check handling — who read, was refused, or exported
 * how many 個人番号, when — and the anomalies the city should look at. Pure: the report's figures
 * come from the ledger's access log; this module judges them.
 */
export interface HandlingHours {
  /** MYNUMBER_WORKING_HOURS (Japan time, weekdays that are not national holidays). */
  from: ClockTime;
  to: ClockTime;
}

export interface ActorHandling {
  actor: string;
  role: string;
  /** 個人番号 disclosed to the person (each read of one application counts once). */
  reads: number;
  /** Distinct applications whose number the person read. */
  applications: number;
  /** Reads at a time outside the working hours (weekends, holidays, before/after hours). */
  afterHours: number;
  /** Attempts refused (not on the register, outside the 取扱区域, …). */
  refusals: number;
}

export type AnomalyKind = 'volume' | 'after_hours' | 'refusals';

export interface HandlingAnomaly {
  actor: string;
  kind: AnomalyKind;
  /** Japanese, for the city's report. */
  detail: string;
}

export interface AnomalyThresholds {
  /** A person reading more than this many times the peers' median… */
  volumeFactor: number;
  /** …and at least this many numbers (a quiet month makes no outlier of three reads). */
  volumeFloor: number;
  /** Refused attempts in the period that deserve a question. */
  refusals: number;
}

export const DEFAULT_THRESHOLDS: AnomalyThresholds = { volumeFactor: 3, volumeFloor: 20, refusals: 3 };

const minutes = (t: ClockTime) => t.hour * 60 + t.minute;

/** Whether `at` falls in the working hours of a working day, Japan time. */
export function isWorkingTime(at: Date, hours: HandlingHours): boolean {
  const date = jstDate(at);
  const weekday = new Date(`${date}T00:00:00.000Z`).getUTCDay();
  if (weekday === 0 || weekday === 6 || holidayName(date) !== undefined) return false;
  const jst = new Date(at.getTime() + 9 * 3600_000);
  const m = jst.getUTCHours() * 60 + jst.getUTCMinutes();
  return m >= minutes(hours.from) && m < minutes(hours.to);
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The anomalies in one period's figures, in the order of the rows. */
export function handlingAnomalies(rows: readonly ActorHandling[], t: AnomalyThresholds = DEFAULT_THRESHOLDS): HandlingAnomaly[] {
  const out: HandlingAnomaly[] = [];
  for (const r of rows) {
    // Peers: everyone else who read in the period; alone, a person has no peers to differ from.
    const peers = rows.filter((p) => p.actor !== r.actor && p.reads > 0).map((p) => p.reads);
    const norm = median(peers);
    if (peers.length > 0 && r.reads >= t.volumeFloor && r.reads > norm * t.volumeFactor) {
      out.push({ actor: r.actor, kind: 'volume', detail: `閲覧 ${r.reads} 件 (他の取扱者の中央値 ${norm} 件の ${t.volumeFactor} 倍超)` });
    }
    if (r.afterHours > 0) out.push({ actor: r.actor, kind: 'after_hours', detail: `業務時間外の閲覧 ${r.afterHours} 件` });
    if (r.refusals >= t.refusals) out.push({ actor: r.actor, kind: 'refusals', detail: `拒否された閲覧の試み ${r.refusals} 件` });
  }
  return out;
}
