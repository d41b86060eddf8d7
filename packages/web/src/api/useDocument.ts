/**
 * The text of an off-chain document (a campaign's description, a report) from the evidence store:
 * the chain holds only its SHA-256, so the text is fetched, and checked against that hash before it
 * is shown. Cached for the session.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { useEffect, useState } from "react";

type DocumentState = { text: string; verified: boolean } | { error: true } | undefined;

const cache = new Map<string, Promise<DocumentState>>();

function toHex(bytes: Uint8Array): string {
  let out = "0x";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

function load(link: { sha256: string; url: string }): Promise<DocumentState> {
  let pending = cache.get(link.sha256);
  if (!pending) {
    pending = fetch(link.url)
      .then(async (response) => {
        if (!response.ok) return { error: true } as const;
        const bytes = new Uint8Array(await response.arrayBuffer());
        return { text: new TextDecoder().decode(bytes), verified: toHex(sha256(bytes)) === link.sha256.toLowerCase() };
      })
      .catch(() => ({ error: true }) as const);
    cache.set(link.sha256, pending);
  }
  return pending;
}

export function useDocument(link: { sha256: string; url: string } | null | undefined): DocumentState {
  const [state, setState] = useState<DocumentState>();
  useEffect(() => {
    if (!link) return;
    let live = true;
    setState(undefined);
    void load(link).then((s) => {
      if (live) setState(s);
    });
    return () => {
      live = false;
    };
  }, [link?.sha256, link]);
  return state;
}

/**
 * A campaign's title from its description's first line: "项目说明：温暖包（…）" → "温暖包". A label
 * before a colon and a parenthetical at the end are dropped; the whole text is shown elsewhere.
 */
export function titleFromDescription(text: string): string {
  const first = (text.split(/\r?\n/)[0] ?? "").trim();
  const afterLabel = first.replace(/^[^：:]{1,8}[：:]\s*/, "");
  const withoutNote = afterLabel.replace(/\s*[（(][^（()）]*[）)]\s*$/, "");
  return (withoutNote || first).slice(0, 80);
}
