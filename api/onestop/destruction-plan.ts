import type { FastifyRequest } from 'fastify';
import type { Knex } from '@mikro-orm/postgresql';
import { PHYSICAL_MEDIUM_KINDS } from '../../domain/onestop/destruction-report';
import { recordPhysicalDestruction } from '../../ledger/destruction-plan';
import { findDestruction, type DestructionScope } from '../../ledger/onestop';
import { actorOf } from '../auth';
import { dateTime, int2, isoDate, line, REASON, text } from '../schema-fragments';
import { translate } from './translate';

/**
 * MYNUM-5 (特記12), for both scopes of REC-1 (/onestop/retention/destructions and /retention/proposals):
 * the planned date and physical media of a proposal, and a person's record of destroying a medium.
 */
export const physicalMedium = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'description', 'count'],
  properties: {
    kind: { type: 'string', enum: PHYSICAL_MEDIUM_KINDS, [REASON]: `must be one of ${PHYSICAL_MEDIUM_KINDS.join(', ')}` },
    description: { ...line(300), description: 'what it is, in words (never a 個人番号): 令和7年分 申告特例申請書 原本 (箱2)' },
    count: int2(1),
  },
} as const;

/** The proposal body's plan: the planned date (not before the proposal's asOf) and the physical media. */
export const planProperties = {
  plannedOn: { ...isoDate, description: 'MYNUM-5: the day it is carried out (JST), not before; never before asOf. Default: at once after the city’s consent' },
  physicalMedia: { type: 'array', maxItems: 50, items: physicalMedium, description: 'MYNUM-5: paper, USB and other media a person destroys; each is recorded by POST …/:id/physical-media' },
} as const;

const destructionBody = {
  type: 'object', additionalProperties: false, required: ['medium', 'method', 'destroyedBy', 'destroyedAt', 'certificate'],
  properties: {
    medium: { ...int2(0, 49), description: 'the medium’s place in the application’s physicalMedia (0 first)' },
    method: { ...text(500), description: 'how: 溶解処理, シュレッダー (クロスカット), 物理破砕 …' },
    destroyedBy: { ...line(200), description: 'the person (or company) who destroyed it' },
    destroyedAt: { ...dateTime, description: 'when; never before the city’s consent or the planned date, never in the future' },
    witness: { ...line(200), description: 'who witnessed it; required when the city named its witness with the consent' },
    certificate: { ...line(200), description: 'the certificate of destruction (廃棄証明書) or its reference number' },
  },
} as const;

export interface PhysicalDestructionBody {
  medium: number;
  method: string;
  destroyedBy: string;
  destroyedAt: string;
  witness?: string;
  certificate: string;
}

/** The schema of POST …/:id/physical-media, less its tags (each scope's router writes its route and tags in place). */
export const physicalMediaSchema = {
  summary: 'MYNUM-5: record the physical destruction of one medium the application names (method, who, when, witness, certificate); only after the city’s consent, on or after the planned date',
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } },
  body: destructionBody,
} as const;

/** POST …/:id/physical-media (admin, the contractor): a person's record of destroying one of the application's physical media, and every medium's state after it. */
export async function recordPhysicalMedia(knex: Knex, scope: DestructionScope, request: FastifyRequest<{ Params: { id: string }; Body: PhysicalDestructionBody }>) {
  const record = await recordPhysicalDestruction(knex, request.params.id, scope, request.body, actorOf(request.principal!)).catch(translate);
  const d = await findDestruction(knex, request.params.id);
  return { record, physicalMedia: d!.physicalMedia };
}
