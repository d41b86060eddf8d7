/**
 * GET /v1/status, shared by every component that shows it (the header's badge, the home page) and
 * refreshed every 15 seconds while one is on screen: "my donation isn't showing" is answered by how
 * far the indexer is behind the chain.
 */
import { useEffect, useSyncExternalStore } from "react";
import { getJson } from "./client.ts";
import type { Status } from "./types.ts";

const REFRESH_MS = 15_000;

type State = { status?: Status; error?: Error; at: number };
let state: State = { at: 0 };
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setTimeout> | undefined;
let inFlight = false;

async function refresh(): Promise<void> {
  if (inFlight) return;
  inFlight = true;
  try {
    state = { status: await getJson<Status>("/v1/status"), at: Date.now() };
  } catch (error) {
    state = { ...state, error: error as Error, at: Date.now() };
  } finally {
    inFlight = false;
  }
  for (const listener of listeners) listener();
  schedule();
}

function schedule(): void {
  clearTimeout(timer);
  if (listeners.size > 0) timer = setTimeout(refresh, REFRESH_MS);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) clearTimeout(timer);
  };
}

export function useStatus(): State {
  const current = useSyncExternalStore(
    subscribe,
    () => state,
    () => state,
  );
  useEffect(() => {
    if (Date.now() - state.at > REFRESH_MS && !inFlight) void refresh();
    else schedule();
  }, []);
  return current;
}
