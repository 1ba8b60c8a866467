/**
 * What the status view of every long-running workflow with signals (DonationWorkflow, ShipmentWorkflow)
 * carries besides its own state. A signal cannot be refused, so one that arrives where it does not
 * apply is accepted, changes nothing and is noted here (`<message> by <actor> while <status>`).
 * Types only: the workflow sandbox and the API read it alike.
 */
export interface NotesIgnoredMessages {
  /** Messages that arrived in a state where they do not apply, kept so an operator sees them. */
  ignored: string[];
}
