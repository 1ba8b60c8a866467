/** A carrier account setting (請求先顧客コード, お客様コード …) is wrong: no row can fix it, so the whole export stops. */
export class CarrierConfigError extends Error {
  override name = 'CarrierConfigError';
}
