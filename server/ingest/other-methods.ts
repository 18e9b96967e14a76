import { ingestOptions, onlyPost, toResponse } from "./handle-ingest";

/**
 * The methods an ingestion route (/track, /identify, /batch, /webhooks/{source}) does not take, for its route file to
 * re-export beside its POST: a JSON 405 saying so (Next's own is empty), as from the listener, and OPTIONS with what
 * the route takes (Next's own would list every method the file exports).
 */
const notPost = () => toResponse(onlyPost());
export const GET = notPost;
export const PUT = notPost;
export const PATCH = notPost;
export const DELETE = notPost;
export const OPTIONS = () => toResponse(ingestOptions());
