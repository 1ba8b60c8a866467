/**
 * The figures of a 月次業務報告書 (REPORT-1, PR-1, CALL-3). Aggregates only: no donor is named,
 * so the report may be mailed and filed by the city as it is. Amounts are integer yen.
 */
export interface CountAmount {
  count: number;
  amountYen: number;
}

export interface MonthlyReportData {
  month: string;
  /** JST calendar days, inclusive. */
  period: { from: string; to: string };
  generatedAt: string;
  /** Donations applied for in the month (JST), cancelled ones left out of every figure but `cancelled`. */
  totals: CountAmount & { donors: number; cancelled: number; disasterRelief: CountAmount };
  byPortal: (CountAmount & { portalCode: string; portalName: string })[];
  /** Per gift line: donations with the gift, quantity and the gift's price × quantity; `giftCode` null = donations without a gift. */
  byGift: { giftCode: string | null; giftName: string; supplierCode: string | null; donations: number; quantity: number; amountYen: number }[];
  byPrefecture: (CountAmount & { prefecture: string })[];
  /** Repeat = the donor has an earlier donation (any portal, any time, not cancelled). */
  byDonorType: { repeat: CountAmount & { donors: number }; new: CountAmount & { donors: number } };
  /** PR-1 donor attributes: age at application where a birth date is known (one-stop application). */
  byAgeBand: (CountAmount & { band: string })[];
  donorAttributes: { donors: number; repeatDonors: number; repeatRatePercent: number; withBirthDate: number };
  sla: {
    /** Imported by the next business day (donation_intake), for donations applied in the month. */
    intake: { total: number; met: number; missed: number; byPortal: { portalCode: string; total: number; met: number; missed: number }[] };
    /** Documents posted by their deadline, for donations whose deadline falls in the month. */
    documents: { due: number; met: number; late: number; unsent: number };
    /** Twice a week: suppliers' shipping days and whether what was ordered for a day in the month left on that day. */
    shipping: {
      planned: number;
      onTime: number;
      late: number;
      unshipped: number;
      suppliers: {
        supplierCode: string | null;
        supplierName: string;
        weekdaysPerWeek: number;
        exception: boolean;
        orderDays: number;
        planned: number;
        onTime: number;
        late: number;
        unshipped: number;
        met: boolean;
      }[];
    };
  };
  shipments: { created: number; reshipments: number; shipped: number; delivered: number; reshipmentsByKind: { delay: number; damage: number; loss: number } };
  /** One-stop applications that arrived in the month, by their state when the report was built. */
  onestop: { arrived: number; byStatus: { status: string; count: number }[] };
  callCentre: {
    total: number;
    complaints: number;
    outOfHours: number;
    byChannel: { channel: string; count: number; complaints: number }[];
    byCategory: { category: string; count: number; complaints: number }[];
    complaintOutcomes: { byStatus: { status: string; count: number }[]; withOutcome: number; reshipped: number; withMeasures: number };
    /** The month's complaints (no caller names): what it was about and how it ended. */
    complaintList: { receivedOn: string; category: string; subject: string; status: string; outcome: string | null; reshipped: boolean; measures: number }[];
  };
  /** PR-1: approved promotion campaigns running in the month. */
  campaigns: CampaignEffect[];
  /** CALL-3: complaints, re-shipments and measures per supplier / carrier in the month. */
  quality: QualityRow[];
}

export interface CampaignEffect {
  code: string;
  name: string;
  medium: string;
  startsOn: string;
  endsOn: string;
  costYen: number;
  portalCodes: string[];
  giftCodes: string[];
  /** Donations applied in the whole campaign period on its portals for its gifts. */
  period: CountAmount;
  /** The same, within the report month only. */
  inMonth: CountAmount;
  /** Donation yen per yen of cost over the period (null when the cost is 0). */
  yenPerCostYen: number | null;
}

/**
 * GIFT-3 (spec 7(9)ウ): a success-case meeting (成功事例報告会) or a quality training / guidance session
 * (品質向上研修・指導) held for suppliers in the quality report's period.
 */
export interface QualityMeeting {
  id: string;
  kind: 'success_cases' | 'quality_training';
  heldOn: string;
  place: string;
  title: string;
  /** Who attended: a current supplier by its code, others by name (supplierCode null). */
  attendees: { name: string; supplierCode: string | null }[];
  /** The success cases presented (success_cases only). */
  cases: { supplierCode: string; title: string }[];
}

export interface QualityRow {
  month: string;
  partyKind: 'supplier' | 'carrier';
  /** Supplier code or carrier code. */
  party: string;
  partyName: string;
  complaints: number;
  reshipments: number;
  measuresDemanded: number;
  measuresOpen: number;
  measuresClosed: number;
  measuresOverdue: number;
}
