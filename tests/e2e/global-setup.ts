// Filled in by the browser-test work: builds the app and starts it on a free port.
export async function setup() {}
