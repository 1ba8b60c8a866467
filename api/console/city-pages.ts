import type { FastifyInstance } from 'fastify';
import type { ConsoleDeps } from './deps';
import type { ApiCall } from './api-client';
import { registerSupplierOrderPages } from './supplier-orders';
import { registerCityApprovalPages } from './city-approvals';
import { registerCityProgressPages } from './city-progress';
import { registerSupplierStatementPages } from './supplier-statements';
import { registerCityReportPages } from './city-reports';

/** Issue 17: the city's and the suppliers' pages, registered together (one line in ./registry.ts). */
export function registerCityAndSupplierPages(app: FastifyInstance, deps: ConsoleDeps, api: ApiCall): void {
  registerSupplierOrderPages(app, deps, api);
  registerCityApprovalPages(app, deps, api);
  registerCityProgressPages(app, deps, api);
  registerSupplierStatementPages(app, deps, api);
  registerCityReportPages(app, deps, api);
}
