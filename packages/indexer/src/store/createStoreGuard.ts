/**
 * The checks both store backends make before touching the database, so that misuse fails the same
 * way on PostgreSQL and PGlite: a call after `close()`, a call on the store from inside one of its
 * own transactions (which on PGlite's single connection would wait forever), and a call on a
 * transaction's `tx` after the transaction has ended.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { StoreError } from "./errors.ts";

export type CreateStoreGuardReturnType = {
  /** Throws if the store is closed or if called from inside one of this store's transactions. */
  assertUsable(method: string): void;
  /** Runs fn marked as inside a transaction; `isOpen` turns false once fn settles. */
  inTransaction<T>(fn: (scope: { readonly isOpen: boolean }) => Promise<T>): Promise<T>;
  /** Throws if the transaction whose scope this is has ended. */
  assertOpen(scope: { readonly isOpen: boolean }, method: string): void;
  markClosed(): void;
};

export function createStoreGuard(): CreateStoreGuardReturnType {
  // Each transaction gets a scope object; the flag is cleared when the transaction ends, so a task
  // started inside it that runs on after the commit is not mistaken for being inside it.
  const scopes = new AsyncLocalStorage<{ isOpen: boolean }>();
  let closed = false;

  return {
    assertUsable(method) {
      if (closed) throw new StoreError(`store.${method}() called after store.close()`);
      if (scopes.getStore()?.isOpen) {
        throw new StoreError(`store.${method}() called inside store.transaction()`, {
          details: "Inside a transaction, run statements on the `tx` argument the callback receives.",
        });
      }
    },
    async inTransaction(fn) {
      const scope = { isOpen: true };
      try {
        return await scopes.run(scope, () => fn(scope));
      } finally {
        scope.isOpen = false;
      }
    },
    assertOpen(scope, method) {
      if (!scope.isOpen) throw new StoreError(`tx.${method}() called after its transaction ended`);
    },
    markClosed() {
      closed = true;
    },
  };
}
