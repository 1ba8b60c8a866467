import { CHANNELS, DONATION_STATUSES, PAYMENT_METHODS } from '../domain/donation-status';
import { email, katakana, line, orderId, phone, postalCode, prefecture, text as freeText } from './schema-fragments';

/** JSON schemas: Fastify validates with them and @fastify/swagger publishes them at /docs. */
const text = line;

export const donorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'nameKana', 'postalCode', 'prefecture', 'address'],
  properties: {
    name: text(100),
    nameKana: katakana(100),
    postalCode,
    prefecture,
    address: { ...text(200), description: 'Address after the prefecture' },
    phone,
    email,
  },
} as const;

export const donorChangesSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: text(100),
    nameKana: katakana(100),
    postalCode,
    prefecture,
    address: text(200),
    phone,
    email,
  },
} as const;

export const createDonationBody = {
  type: 'object',
  additionalProperties: false,
  required: ['channel', 'donor', 'amountYen', 'paymentMethod'],
  properties: {
    portal: { type: 'string', default: 'direct', description: "Portal code; 'direct' for phone/FAX/mail/counter (INTAKE-1)" },
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
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

const reason = freeText(500);

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
      required: ['name', 'postalCode', 'address'],
      properties: { name: text(100), nameKana: katakana(100), postalCode, prefecture, address: text(300), phone },
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
