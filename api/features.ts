import type { Feature } from '../domain/features';
import type { ApiFeature } from './feature';
import { billingApi } from './billing/registry';
import { callcentreApi } from './callcentre/registry';
import { consoleApi } from './console/registry';
import { documentsApi } from './documents/registry';
import { donationApi } from './donation/registry';
import { giftsApi } from './gifts/registry';
import { intakeApi } from './intake/registry';
import { listingsApi } from './listings/registry';
import { onestopApi } from './onestop/registry';
import { reportsApi } from './reports/registry';
import { retentionApi } from './retention/registry';
import { shippingApi } from './shipping/registry';
import { subcontractorsApi } from './subcontractors/registry';

/** Every feature's routes, walked by buildApi in FEATURES order. */
export const API_FEATURES: Readonly<Record<Feature, ApiFeature>> = {
  donation: donationApi,
  intake: intakeApi,
  documents: documentsApi,
  shipping: shippingApi,
  gifts: giftsApi,
  onestop: onestopApi,
  billing: billingApi,
  reports: reportsApi,
  callcentre: callcentreApi,
  subcontractors: subcontractorsApi,
  listings: listingsApi,
  retention: retentionApi,
  console: consoleApi,
};
