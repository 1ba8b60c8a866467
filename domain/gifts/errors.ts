import type { FieldError } from '../donor';

/**
 * A catalogue, supplier or stock rule refused a change. `status` is the HTTP
 * status the API answers with (400 bad input naming fields, 404 unknown, 409 a
 * rule or state conflict); `details` go into the response body as they are
 * (for a cost-cap refusal: the ratios).
 */
export class GiftRuleError extends Error {
  override name = 'GiftRuleError';
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly fields?: FieldError[],
  ) {
    super(message);
  }

  static fields(errors: FieldError[]): GiftRuleError {
    return new GiftRuleError(400, 'validation', errors.map((e) => `${e.field} ${e.reason}`).join('; '), {}, errors);
  }

  static notFound(what: string): GiftRuleError {
    return new GiftRuleError(404, 'not_found', `${what} not found`);
  }
}
