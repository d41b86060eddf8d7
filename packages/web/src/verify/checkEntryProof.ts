/**
 * Checks an entry's inclusion proof in the browser, step by step, with @shanji/core — so that a
 * reader sees exactly what was computed, not only a verdict:
 *
 * 1. the leaf bytes decode as a ledger entry, and the index written inside the leaf is the index
 *    the proof claims;
 * 2. SHA-256(0x00 ‖ leaf) is the leaf hash (RFC 9162 §2.1.1);
 * 3. each sibling of the audit path is hashed in, SHA-256(0x01 ‖ left ‖ right), on the side that
 *    RFC 9162 §2.1.3.2 gives for the entry's index and the tree's size;
 * 4. the result equals the root the proof names — and @shanji/core's verifyInclusion agrees.
 *
 * The root itself is then for the reader to compare with root() at the named block, read from a
 * node of their choice: a proof only moves trust from the API to that root.
 */
import { decodeLeaf, leafHash, nodeHash, verifyInclusion } from "@shanji/core";
import type { Hex } from "viem";

export type EntryProofInput = {
  index: string;
  leaf: Hex;
  /** The leaf hash the server claimed, if given; recomputed either way. */
  leafHash?: Hex | undefined;
  proof: { index: string; treeSize: string; root: Hex; inclusion: Hex[]; blockNumber: string };
};

export type PathStep = {
  /** 1-based position in the audit path. */
  step: number;
  sibling: Hex;
  /** Where the sibling sits: "left" means SHA-256(0x01 ‖ sibling ‖ current). */
  side: "left" | "right";
  result: Hex;
};

export type CheckEntryProofReturnType = {
  ok: boolean;
  leafBytes: number;
  decoded:
    | { ok: true; kindName: string; index: string; timestamp: string; actorOrg: string }
    | { ok: false; error: string };
  /** The index inside the leaf equals the proof's index (and the entry's). */
  indexMatches: boolean;
  computedLeafHash: Hex;
  /** Undefined when the input gave no leaf hash to compare. */
  leafHashMatches: boolean | undefined;
  path: PathStep[];
  /** Why the walk stopped early (a malformed path, a path of the wrong length); undefined when it ran. */
  pathProblem: string | undefined;
  computedRoot: Hex | undefined;
  rootMatches: boolean;
  /** @shanji/core's verifyInclusion on the same numbers: the library verdict. */
  libraryVerdict: boolean;
};

const HASH = /^0x[0-9a-fA-F]{64}$/;

export function checkEntryProof(input: EntryProofInput): CheckEntryProofReturnType {
  const leafHex = input.leaf;
  const bytes = hexToBytesLoose(leafHex);
  const computedLeafHash = leafHash(bytes ?? new Uint8Array());
  const index = BigInt(input.proof.index);
  const treeSize = BigInt(input.proof.treeSize);

  let decoded: CheckEntryProofReturnType["decoded"];
  try {
    if (!bytes) throw new Error("the leaf is not hex");
    const entry = decodeLeaf(bytes);
    decoded = {
      ok: true,
      kindName: entry.record.type,
      index: entry.index.toString(),
      timestamp: entry.timestamp.toString(),
      actorOrg: entry.actorOrg.toString(),
    };
  } catch (error) {
    decoded = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const indexMatches = decoded.ok && decoded.index === input.proof.index && input.index === input.proof.index;

  // RFC 9162 §2.1.3.2, recording each step: fn is our node and sn the tree's last node, per level.
  const path: PathStep[] = [];
  let pathProblem: string | undefined;
  let r: Hex = computedLeafHash;
  let fn = index;
  let sn = treeSize - 1n;
  if (index >= treeSize) pathProblem = "index";
  for (const [i, sibling] of input.proof.inclusion.entries()) {
    if (pathProblem) break;
    if (!HASH.test(sibling)) {
      pathProblem = "malformed";
      break;
    }
    if (sn === 0n) {
      pathProblem = "long";
      break;
    }
    let side: PathStep["side"];
    if ((fn & 1n) === 1n || fn === sn) {
      side = "left";
      r = nodeHash(sibling, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      side = "right";
      r = nodeHash(r, sibling);
    }
    fn >>= 1n;
    sn >>= 1n;
    path.push({ step: i + 1, sibling: sibling.toLowerCase() as Hex, side, result: r });
  }
  if (!pathProblem && sn !== 0n) pathProblem = "short";
  const computedRoot = pathProblem ? undefined : r;
  const rootMatches = computedRoot !== undefined && computedRoot === input.proof.root.toLowerCase();
  const libraryVerdict = verifyInclusion({
    index,
    treeSize,
    leafHash: computedLeafHash,
    proof: input.proof.inclusion,
    root: input.proof.root,
  });
  const leafHashMatches = input.leafHash === undefined ? undefined : input.leafHash.toLowerCase() === computedLeafHash;
  return {
    ok: bytes !== undefined && decoded.ok && indexMatches && rootMatches && libraryVerdict && leafHashMatches !== false,
    leafBytes: bytes?.length ?? 0,
    decoded,
    indexMatches,
    computedLeafHash,
    leafHashMatches,
    path,
    pathProblem,
    computedRoot,
    rootMatches,
    libraryVerdict,
  };
}

function hexToBytesLoose(hex: string): Uint8Array | undefined {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(hex)) return undefined;
  const out = new Uint8Array((hex.length - 2) / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}

/**
 * Reads a pasted proof: the whole answer of GET /v1/entries/:index, or any object with `leaf` and
 * `proof` (index, treeSize, root, inclusion, blockNumber). Throws a message naming what is missing.
 */
export function parseEntryProof(text: string): EntryProofInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error("json");
  }
  const o = value as Record<string, unknown>;
  const proof = (o?.proof ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);
  const leaf = str(o?.leaf);
  const index = str(o?.index) ?? str(proof.index);
  const treeSize = str(proof.treeSize);
  const root = str(proof.root);
  const blockNumber = str(proof.blockNumber) ?? "";
  const inclusion = proof.inclusion;
  const missing = [
    !leaf && "leaf",
    !index && "index",
    !treeSize && "proof.treeSize",
    !root && "proof.root",
    !Array.isArray(inclusion) && "proof.inclusion",
  ].filter(Boolean);
  if (missing.length > 0) throw new Error(`missing:${missing.join(", ")}`);
  if (!/^\d+$/.test(index as string) || !/^\d+$/.test(treeSize as string)) throw new Error("numbers");
  return {
    index: index as string,
    leaf: leaf as Hex,
    leafHash: str(o.leafHash) as Hex | undefined,
    proof: {
      index: str(proof.index) ?? (index as string),
      treeSize: treeSize as string,
      root: root as Hex,
      inclusion: (inclusion as unknown[]).map((h) => String(h) as Hex),
      blockNumber,
    },
  };
}

/** A copy with one byte changed (the last byte of the leaf, or of the first path hash): what the tamper demo checks. */
export function tamper(input: EntryProofInput, what: "leaf" | "proof" | "root"): EntryProofInput {
  const flip = (hex: Hex): Hex => {
    const last = Number.parseInt(hex.slice(-2), 16) ^ 0x01;
    return `${hex.slice(0, -2)}${last.toString(16).padStart(2, "0")}` as Hex;
  };
  if (what === "leaf") return { ...input, leaf: flip(input.leaf) };
  if (what === "root") return { ...input, proof: { ...input.proof, root: flip(input.proof.root) } };
  const [first, ...rest] = input.proof.inclusion;
  if (!first) return { ...input, proof: { ...input.proof, root: flip(input.proof.root) } };
  return { ...input, proof: { ...input.proof, inclusion: [flip(first), ...rest] } };
}
