// The bare floor of the intake benchmark: a workflow with no activities, timers
// or search attributes, so its cost is only what Temporal and the SDK charge
// for starting and completing an execution. Kept in its own file because it is
// the entry point of a separate workflow bundle, not part of the product's.
export async function emptyWorkflow(): Promise<void> {}
