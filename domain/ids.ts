/**
 * One DonationWorkflow per donation: the workflow ID is derived from the portal
 * and the portal's own order number, so a second start of the same donation
 * lands on the same ID and is refused by Temporal.
 */
export function donationWorkflowId(portal: string, portalOrderId: string): string {
  return `donation/${portal}/${portalOrderId}`;
}
