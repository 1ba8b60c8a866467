import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/env';
import type { Orm } from '../ledger/orm';

/** What every feature's routes receive: the process's configuration, ledger and Temporal client. */
export interface RouteDeps {
  config: AppConfig;
  orm: Orm;
  temporal: Client;
}

/** A feature's API registry (api/<feature>/registry.ts): registers its routes. api/server.ts walks every feature's. */
export type ApiFeature = (app: FastifyInstance, deps: RouteDeps) => void | Promise<void>;
