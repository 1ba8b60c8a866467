import { OneStopError } from '../../ledger/onestop-error';
import { badRequest, conflict, HttpError, notFound } from '../errors';

/** A ledger refusal (OneStopError) as the API's answer; shared with api/retention. */
export function translate(err: unknown): never {
  if (err instanceof OneStopError) {
    if (err.kind === 'not_found') throw notFound(err.message.replace(/ not found$/, ''));
    if (err.kind === 'conflict') throw conflict(err.message);
    if (err.kind === 'forbidden') throw new HttpError(403, 'forbidden', err.message);
    throw badRequest([{ field: err.field ?? '(body)', reason: err.message }]);
  }
  throw err;
}
