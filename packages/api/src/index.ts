/**
 * @shanji/api: the public, read-mostly API over the indexed ledger. Every answer with ledger data
 * says how fresh it is; proofs check against the chain's root() without trusting this server.
 */
export { type CreateAppParameters, createApp, type ShanjiApp } from "./app.ts";
export { type ApiContext, type LedgerSnapshot, readSnapshot } from "./context.ts";
export { ApiError, badRequest, notFound } from "./problem.ts";
