import { CHANNELS, DONATION_STATUSES, PAYMENT_METHODS } from '../domain/donation-status';
import { email, katakana, line, nonBlank, orderId, phone, postalCode, prefecture, saying } from './schema-fragments';

/** JSON schemas: Fastify validates with them and @fastify/swagger publishes them at /docs. */
const text = line;

export const donorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'nameKana', 'postalCode', 'prefecture', 'address'],
  properties: {
    name: nonBlank(100),
    nameKana: katakana(100),
    postalCode,
    prefecture,
    address: { ...nonBlank(200), description: 'Address after the prefecture' },
    phone,
    email,
  },
} as const;

export const donorChangesSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: nonBlank(100),
    nameKana: katakana(100),
    postalCode,
    prefecture,
    address: nonBlank(200),
    // A change names a value: an empty phone is no phone number (domain/donor.ts validateDonorChanges).
    phone: { ...phone, minLength: 1 },
    email,
  },
} as const;

export const createDonationBody = {
  type: 'object',
  additionalProperties: false,
  required: ['channel', 'donor', 'amountYen', 'paymentMethod'],
  properties: {
    // The portals table decides (an unknown or inactive portal is a 400 naming portal, with the gifts checked beside it).
    portal: { ...line(50), default: 'direct', description: "Portal code; 'direct' for phone/FAX/mail/counter (INTAKE-1)" },
    portalOrderId: { ...orderId, description: 'The portal order number, or the FAX/application reference; generated when omitted' },
    channel: { type: 'string', enum: CHANNELS },
    donor: donorSchema,
    amountYen: { type: 'integer', minimum: 1, maximum: 100_000_000 },
    paymentMethod: { type: 'string', enum: PAYMENT_METHODS },
    appliedAt: { type: 'string', format: 'date-time', description: 'Application time; now when omitted' },
    paidAt: { type: 'string', format: 'date-time', description: 'Set when payment is already confirmed' },
    purpose: text(200),
    wantsOneStop: { type: 'boolean', default: false },
    disasterRelief: { type: 'boolean', default: false },
    gifts: {
      type: 'array',
      maxItems: 20,
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['code'],
        properties: { code: text(50), quantity: { type: 'integer', minimum: 1, maximum: 99, default: 1 } },
      },
    },
  },
  // The handler's rule, stated: a donation entered by hand for the city ('direct', not through a portal
  // channel) needs no order number; any other needs a portal and its order number.
  anyOf: [
    { properties: { portal: { enum: ['direct'] }, channel: { enum: CHANNELS.filter((c) => c !== 'portal') } } },
    { required: ['portal', 'portalOrderId'], properties: { portal: { not: { enum: ['direct'] } } } },
  ],
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

/** The workflows refuse a blank reason (it goes into the event log). */
const reason = saying(500);

export const correctionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason', 'changes'],
  properties: { reason, changes: donorChangesSchema },
} as const;

export const paymentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['paidAt'],
  properties: {
    paidAt: { type: 'string', format: 'date-time', description: 'Card: application date; transfer: the transfer date' },
    method: { type: 'string', enum: PAYMENT_METHODS },
    reference: text(100),
  },
} as const;

/** 送付先: null sends the gifts to the donor again. */
export const shipToBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason', 'shipTo'],
  properties: {
    reason,
    shipTo: {
      type: ['object', 'null'],
      additionalProperties: false,
      // Checked as a donor's address (domain/shipping/ship-to.ts): the prefecture too; kana optional.
      required: ['name', 'postalCode', 'prefecture', 'address'],
      properties: { name: nonBlank(100), nameKana: katakana(100), postalCode, prefecture, address: nonBlank(200), phone },
    },
  },
} as const;

export const reasonBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason },
} as const;

export const documentsSentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['sentAt'],
  properties: { sentAt: { type: 'string', format: 'date-time' }, reference: text(100) },
} as const;

export const searchQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    portal: { type: 'array', items: { type: 'string' } },
    status: { type: 'array', items: { type: 'string', enum: DONATION_STATUSES } },
    appliedFrom: { type: 'string', format: 'date', description: 'JST date, inclusive' },
    appliedTo: { type: 'string', format: 'date', description: 'JST date, inclusive' },
    amountMin: { type: 'integer', minimum: 0 },
    amountMax: { type: 'integer', minimum: 0 },
    donor: { type: 'string', minLength: 1, maxLength: 100, description: 'Part of the donor name or kana' },
    atRisk: { type: 'boolean', description: 'Documents due soon or late and not yet sent' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
} as const;
