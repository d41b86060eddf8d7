/** Small helpers the fund-flow views share. */
import { disbursementCategory } from "@shanji/core";
import type { Hex } from "viem";

export type CategoryName = keyof typeof disbursementCategory;

const categoryNames = new Map<number, CategoryName>(
  Object.entries(disbursementCategory).map(([name, value]) => [value, name as CategoryName]),
);

/** The name of a disbursement category number, or undefined for a number the contract refuses. */
export function categoryName(category: number): CategoryName | undefined {
  return categoryNames.get(category);
}

/** A purpose tag as a map key: null for 0 (unrestricted), else the lower-case hex. */
export function purposeKey(tag: Hex): string | null {
  return /^0x0*$/i.test(tag) ? null : tag.toLowerCase();
}

export const minBigInt = (a: bigint, b: bigint): bigint => (a < b ? a : b);
