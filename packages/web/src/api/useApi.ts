/**
 * Loads one API path for a component: the answer, the error, or neither while loading. A new path
 * cancels the request in flight, so a slow answer never replaces a newer one.
 */
import { useCallback, useEffect, useState } from "react";
import { getJson } from "./client.ts";

export type ApiState<T> = { data: T | undefined; error: Error | undefined; loading: boolean; reload: () => void };

export function useApi<T>(path: string | null): ApiState<T> {
  const [state, setState] = useState<{ path: string | null; data?: T; error?: Error }>({ path: null });
  const [generation, setGeneration] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: generation is the reload trigger
  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    getJson<T>(path, controller.signal).then(
      (data) => setState({ path, data }),
      (error: Error) => {
        if (!controller.signal.aborted) setState({ path, error });
      },
    );
    return () => controller.abort();
  }, [path, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const current = state.path === path;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: path !== null && (!current || (state.data === undefined && state.error === undefined)),
    reload,
  };
}
