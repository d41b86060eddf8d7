/**
 * Bulk loading: a backfill spends a good part of the database's time keeping the secondary indexes
 * of `entries` up to date row by row (seven, most on expressions over the record, for the API).
 * Built from the finished table instead, they cost a fraction of that. deferIndexes drops them and
 * keeps their definitions in `deferred_indexes`, in one transaction; restoreIndexes builds them
 * again and empties the table, in one transaction, so a crash in between leaves the definitions to
 * the next run. Only non-unique indexes are set aside: no constraint is ever lifted, and the primary
 * key (which ingestion and rollbacks use) stays. Readers meanwhile get the same answers, slower.
 */
import type { Store } from "../store/types.ts";

/** The indexes set aside, by name. */
export type DeferIndexesReturnType = Promise<string[]>;

export async function deferIndexes(store: Store): DeferIndexesReturnType {
  return await store.transaction(async (tx) => {
    await tx.query(
      `insert into deferred_indexes (name, definition)
       select c.relname, pg_get_indexdef(i.indexrelid)
       from pg_index i join pg_class c on c.oid = i.indexrelid
       where i.indrelid = 'entries'::regclass and not i.indisunique and not i.indisprimary
       on conflict (name) do nothing`,
    );
    const deferred = await tx.query<{ name: string }>("select name from deferred_indexes order by name");
    for (const { name } of deferred) await tx.query(`drop index if exists ${quoteIdentifier(name)}`);
    return deferred.map(({ name }) => name);
  });
}

/** The indexes built again (none if none were set aside). */
export type RestoreIndexesReturnType = Promise<string[]>;

export async function restoreIndexes(store: Store): RestoreIndexesReturnType {
  return await store.transaction(async (tx) => {
    const deferred = await tx.query<{ name: string; definition: string; missing: boolean }>(
      `select name, definition, to_regclass(quote_ident(name)) is null as missing
       from deferred_indexes order by name for update`,
    );
    // One that exists already (built by hand meanwhile) is left as it is.
    for (const { definition, missing } of deferred) if (missing) await tx.query(definition);
    if (deferred.length > 0) await tx.query("delete from deferred_indexes");
    return deferred.map(({ name }) => name);
  });
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
