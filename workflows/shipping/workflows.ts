// The shipping workflows the worker registers (re-exported by workflows/index.ts, the bundle entry).
export { shipmentWorkflow } from './shipment-workflow';
export { supplierOrderWorkflow } from './supplier-order-workflow';
