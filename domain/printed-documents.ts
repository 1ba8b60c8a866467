import { DOCUMENT_TITLES, type DocumentKind, type MailingReason } from './documents';
import { NOTICE_DOCUMENT_TITLES, type OneStopNoticeDocument } from './onestop/notices';

/** A page the renderer prints: a donor's documents, or a one-stop notice (DOCS-5) in an envelope of its own. */
export type PrintedDocument = DocumentKind | OneStopNoticeDocument;
export const PRINTED_DOCUMENT_TITLES: Record<PrintedDocument, string> = { ...DOCUMENT_TITLES, ...NOTICE_DOCUMENT_TITLES };

/** Why an envelope is in a print batch; onestop_notice: a one-stop notice (DOCS-5) on paper, an envelope of its own. */
export type PrintItemReason = MailingReason | 'payment_form' | 'onestop_notice';
