/**
 * Bulk loading: a backfill spends a good part of the database's time keeping indexes up to date row
 * by row: the secondary indexes of `entries` that most entries have a row in (by kind, and the
 * donations' by donor and by amount) and the primary key of `entry_streams`, whose stream ids
 * arrive in random order, so that every row lands on another page of it. Built from the finished
 * tables instead, they cost a fraction of that. deferIndexes drops them and keeps their
 * definitions in `deferred_indexes`, in one transaction; restoreIndexes builds them again and
 * removes their definitions, in one transaction, so a crash in between leaves the definitions to
 * the next run.
 *
 * Partial indexes over kinds of entry that are a small share of any ledger (KEPT_LIVE: grants,
 * donations by organisations, the registry's entries, reversals) stay: kept row by row they cost a
 * test of their condition per entry, while each build at the end would read the whole table.
 *
 * The primary key of `entries`, which ingestion and rollbacks use, stays. The one constraint lifted
 * is the key of `entry_streams`, and nothing can break it meanwhile: every entry's index is unique
 * (the key of `entries` stays), and prepareBatch refuses an entry that names a stream twice. Readers
 * meanwhile get the same answers, slower.
 */
import type { Store } from "../store/types.ts";

/** The deferred index by which the views read a stream's entries: the first built, and awaited before they read one. */
export const STREAM_KEY = "entry_streams_pkey";

/** The indexes of `entries` a backfill keeps up to date row by row (partial, over a few entries each). */
export const KEPT_LIVE: readonly string[] = [
  "entries_grants",
  "entries_org_donations",
  "entries_registry_org",
  "entries_reversal_target",
];

/** The indexes set aside, by name. */
export type DeferIndexesReturnType = Promise<string[]>;

export async function deferIndexes(store: Store): DeferIndexesReturnType {
  return await store.transaction(async (tx) => {
    await tx.query(
      `insert into deferred_indexes (name, definition)
       select c.relname, pg_get_indexdef(i.indexrelid)
       from pg_index i join pg_class c on c.oid = i.indexrelid
       where i.indrelid = 'entries'::regclass and not i.indisunique and not i.indisprimary
         and c.relname <> all($1::text[])
       union all
       select conname, format('alter table entry_streams add constraint %I %s', conname, pg_get_constraintdef(oid))
       from pg_constraint where conrelid = 'entry_streams'::regclass and contype = 'p'
       on conflict (name) do nothing`,
      [[...KEPT_LIVE]],
    );
    const deferred = await tx.query<{ name: string; is_constraint: boolean }>(
      `select name, exists (select 1 from pg_constraint where conname = name and conrelid = 'entry_streams'::regclass)
         as is_constraint
       from deferred_indexes order by name`,
    );
    for (const { name, is_constraint } of deferred) {
      const quoted = quoteIdentifier(name);
      await tx.query(
        is_constraint ? `alter table entry_streams drop constraint ${quoted}` : `drop index if exists ${quoted}`,
      );
    }
    return deferred.map(({ name }) => name);
  });
}

/** The names of the indexes set aside now, but for `except`, in order. */
export async function setAsideIndexes(store: Store, { except = [] }: { except?: readonly string[] } = {}) {
  const rows = await store.query<{ name: string }>(
    "select name from deferred_indexes where name <> all($1::text[]) order by name",
    [[...except]],
  );
  return rows.map(({ name }) => name);
}

export type RestoreIndexesParameters = {
  /** Build only these (those of them set aside); every one set aside when undefined. */
  only?: readonly string[] | undefined;
};

/** The indexes built again (none if none were set aside). */
export type RestoreIndexesReturnType = Promise<string[]>;

export async function restoreIndexes(
  store: Store,
  parameters: RestoreIndexesParameters = {},
): RestoreIndexesReturnType {
  const only = parameters.only === undefined ? null : [...parameters.only];
  return await store.transaction(async (tx) => {
    const deferred = await tx.query<{ name: string; definition: string; missing: boolean }>(
      `select name, definition, to_regclass(quote_ident(name)) is null as missing
       from deferred_indexes where $1::text[] is null or name = any($1::text[])
       order by name for update`,
      [only],
    );
    // One that exists already (built by hand meanwhile) is left as it is.
    for (const { definition, missing } of deferred) if (missing) await tx.query(definition);
    const names = deferred.map(({ name }) => name);
    if (names.length > 0) await tx.query("delete from deferred_indexes where name = any($1::text[])", [names]);
    return names;
  });
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
