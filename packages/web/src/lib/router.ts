/**
 * A small router over the History API: the portal has a handful of pages, so a library would cost
 * more bytes than it saves. Paths are real URLs (/campaigns/3), which the API answers with the
 * portal's index.html, so every page can be shared as a link and opened directly.
 */
import { useSyncExternalStore } from "react";

export type Location = { path: string; query: URLSearchParams; search: string };

const listeners = new Set<() => void>();
let snapshot: Location | undefined;

function read(): Location {
  const { pathname, search } = window.location;
  if (!snapshot || snapshot.path !== pathname || snapshot.search !== search) {
    snapshot = { path: pathname.replace(/\/+$/, "") || "/", query: new URLSearchParams(search), search };
  }
  return snapshot;
}

function notify(): void {
  for (const listener of listeners) listener();
}

if (typeof window !== "undefined") window.addEventListener("popstate", notify);

/**
 * Goes to `to` (a path with an optional query) without reloading; `replace` keeps history short.
 * `state` travels with the history entry and never appears in the URL (a receipt code, a secret).
 */
export function navigate(to: string, { replace = false, state }: { replace?: boolean; state?: unknown } = {}): void {
  const current = window.location.pathname + window.location.search;
  if (to === current && state === undefined) return;
  if (replace) window.history.replaceState(state ?? null, "", to);
  else window.history.pushState(state ?? null, "", to);
  snapshot = undefined;
  notify();
  if (!replace) window.scrollTo(0, 0);
}

/** The state the current history entry was pushed with. */
export function historyState<T>(): T | undefined {
  return (window.history.state ?? undefined) as T | undefined;
}

/** The current location; re-renders the caller when it changes. */
export function useLocation(): Location {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    read,
    read,
  );
}

/** Matches `/campaigns/:id` against a path: the named parts, or undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const have = path.split("/");
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const h = have[i] as string;
    if (w.startsWith(":")) {
      if (!h) return undefined;
      params[w.slice(1)] = decodeURIComponent(h);
    } else if (w !== h) return undefined;
  }
  return params;
}
