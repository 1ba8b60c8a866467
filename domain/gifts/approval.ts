import { capViolations, type CostRatioReport } from './cost';
import type { ApprovalStatus } from './types';

/**
 * What stands between a gift and going on sale (GIFT-4, GIFT-5, SHIP-8): the
 * city's approval, a supplier that has signed the acknowledgement of the
 * 地場産品 rules and the food-labelling law, and the 3割 cap at every price the
 * gift is offered at. The same checks guard changes to a gift that is on sale.
 */
export type ActivationProblemCode = 'not_approved' | 'no_supplier' | 'supplier_not_approved' | 'supplier_inactive' | 'rules_not_acknowledged' | 'cost_cap_exceeded';

export interface ActivationProblem {
  code: ActivationProblemCode;
  message: string;
}

export interface ActivationCheck {
  approvalStatus: ApprovalStatus;
  supplier: { code?: string | null; name: string; active: boolean; rulesAcknowledgedAt?: Date | string | null; approvalStatus?: ApprovalStatus } | null;
  ratios: CostRatioReport;
}

export function activationProblems(c: ActivationCheck): ActivationProblem[] {
  const problems: ActivationProblem[] = [];
  if (c.approvalStatus !== 'approved') problems.push({ code: 'not_approved', message: `the city has not approved this gift (status ${c.approvalStatus}) (GIFT-4)` });
  if (!c.supplier) problems.push({ code: 'no_supplier', message: 'no supplier is assigned, so nobody has acknowledged the local-product rules (SHIP-8)' });
  else {
    const who = c.supplier.code ?? c.supplier.name;
    // GIFT-4: the city decides suppliers too; a supplier it has not approved lists nothing.
    if (c.supplier.approvalStatus && c.supplier.approvalStatus !== 'approved') problems.push({ code: 'supplier_not_approved', message: `the city has not approved supplier ${who} (status ${c.supplier.approvalStatus}) (GIFT-4)` });
    if (!c.supplier.active) problems.push({ code: 'supplier_inactive', message: `supplier ${who} is inactive` });
    if (!c.supplier.rulesAcknowledgedAt) problems.push({ code: 'rules_not_acknowledged', message: `supplier ${who} has not signed the acknowledgement of the local-product rules and the food-labelling law (SHIP-8)` });
  }
  for (const v of capViolations(c.ratios)) problems.push({ code: 'cost_cap_exceeded', message: `${v} (GIFT-4, 告示: 調達費用は寄附額の3割以下)` });
  return problems;
}
