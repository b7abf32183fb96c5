import type { RequestHandler } from './$types';
import { dispatch } from '$lib/server/api/dispatch';

const handler: RequestHandler = (event) => dispatch(event, event.params.path);

export const GET = handler;
export const POST = handler;
export const PUT = handler;
export const PATCH = handler;
export const DELETE = handler;
export const fallback = handler;
