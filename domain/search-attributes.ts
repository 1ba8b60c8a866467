import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes that make donations findable in the Temporal UI.
 * They are stored unencrypted by the server, so they carry no personal data:
 * only the portal, the lifecycle state and the two dates that drive deadlines.
 */
export const DonationPortal = defineSearchAttributeKey('DonationPortal', SearchAttributeType.KEYWORD);
export const DonationStatusAttr = defineSearchAttributeKey('DonationStatus', SearchAttributeType.KEYWORD);
export const DonationPaymentDate = defineSearchAttributeKey('DonationPaymentDate', SearchAttributeType.DATETIME);
export const DocumentsDeadline = defineSearchAttributeKey('DocumentsDeadline', SearchAttributeType.DATETIME);

export const SEARCH_ATTRIBUTES = [DonationPortal, DonationStatusAttr, DonationPaymentDate, DocumentsDeadline];

/** Name → CLI type, for `temporal server start-dev --search-attribute`. */
export const SEARCH_ATTRIBUTE_CLI_TYPES: Record<string, 'Keyword' | 'Datetime'> = {
  DonationPortal: 'Keyword',
  DonationStatus: 'Keyword',
  DonationPaymentDate: 'Datetime',
  DocumentsDeadline: 'Datetime',
};
