import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes that make donations findable in the Temporal UI.
 * They are stored unencrypted by the server, so they carry no personal data:
 * the portal, the lifecycle state, the two dates that drive deadlines, the
 * INTAKE-4 finding codes (never the values that raised them) and whether the
 * portal import missed its next-business-day SLA.
 */
export const DonationPortal = defineSearchAttributeKey('DonationPortal', SearchAttributeType.KEYWORD);
export const DonationStatusAttr = defineSearchAttributeKey('DonationStatus', SearchAttributeType.KEYWORD);
export const DonationPaymentDate = defineSearchAttributeKey('DonationPaymentDate', SearchAttributeType.DATETIME);
export const DocumentsDeadline = defineSearchAttributeKey('DocumentsDeadline', SearchAttributeType.DATETIME);
export const DonationReviewFlags = defineSearchAttributeKey('DonationReviewFlags', SearchAttributeType.KEYWORD_LIST);
export const DonationImportLate = defineSearchAttributeKey('DonationImportLate', SearchAttributeType.BOOL);

export const SEARCH_ATTRIBUTES = [DonationPortal, DonationStatusAttr, DonationPaymentDate, DocumentsDeadline, DonationReviewFlags, DonationImportLate];

/** The donation feature's attributes, name → type (workflows/donation/registry.ts declares them to the namespace). */
export const DONATION_SEARCH_ATTRIBUTE_TYPES: Record<string, 'Keyword' | 'Datetime' | 'KeywordList' | 'Bool'> = {
  DonationPortal: 'Keyword',
  DonationStatus: 'Keyword',
  DonationPaymentDate: 'Datetime',
  DocumentsDeadline: 'Datetime',
  DonationReviewFlags: 'KeywordList',
  DonationImportLate: 'Bool',
};
