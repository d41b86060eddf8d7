/**
 * The newest entries of the log, each from GET /v1/entries/:index (the API has no list of all
 * entries): the log's size from the status, then the last `count` indexes in parallel.
 */
import { useEffect, useState } from "react";
import { getJson } from "./client.ts";
import type { EntryAnswer } from "./types.ts";
import { useStatus } from "./useStatus.ts";

export function useLatestEntries(count: number): { entries?: EntryAnswer[]; error?: Error; loading: boolean } {
  const { status } = useStatus();
  const size = status?.log.size;
  const [state, setState] = useState<{ size?: string; entries?: EntryAnswer[]; error?: Error }>({});
  useEffect(() => {
    if (size === undefined) return;
    const controller = new AbortController();
    const last = BigInt(size);
    const indexes: bigint[] = [];
    for (let i = last - 1n; i >= 0n && indexes.length < count; i--) indexes.push(i);
    Promise.all(indexes.map((i) => getJson<EntryAnswer>(`/v1/entries/${i}`, controller.signal))).then(
      (entries) => setState({ size, entries }),
      (error: Error) => {
        if (!controller.signal.aborted) setState({ size, error });
      },
    );
    return () => controller.abort();
  }, [size, count]);
  return {
    ...(state.entries ? { entries: state.entries } : {}),
    ...(state.error ? { error: state.error } : {}),
    loading: !state.entries && !state.error,
  };
}
