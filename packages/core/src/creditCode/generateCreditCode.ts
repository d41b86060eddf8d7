/**
 * Builds a complete Unified Social Credit Code by appending the right check character,
 * from the first 17 characters or from their parts. For demo data and tests: codes made
 * this way pass `validateCreditCode` but belong to no real organisation.
 */
import { CreditCodeError } from "../errors.ts";
import { normalizeCreditCode } from "./_rules.ts";
import { creditCodeCheckCharacter } from "./creditCodeCheckCharacter.ts";

export type CreditCodeParts = {
  /** Position 1, the registering authority, e.g. "5" for civil affairs. */
  authority: string;
  /** Position 2, the kind of organisation, e.g. "3" for a foundation. */
  kind: string;
  /** Positions 3–8, the six-digit administrative region code, e.g. "440300". */
  region: string;
  /** Positions 9–17, the nine-character organisation code. */
  organization: string;
};

export type GenerateCreditCodeParameters = Parameters<typeof generateCreditCode>;
export type GenerateCreditCodeReturnType = string;

export function generateCreditCode(prefix17OrParts: string | CreditCodeParts): GenerateCreditCodeReturnType {
  let prefix: string;
  if (typeof prefix17OrParts === "string") {
    prefix = prefix17OrParts;
  } else {
    const { authority, kind, region, organization } = prefix17OrParts;
    const lengths = [
      ["authority", authority, 1],
      ["kind", kind, 1],
      ["region", region, 6],
      ["organization", organization, 9],
    ] as const;
    for (const [name, value, length] of lengths) {
      if (typeof value !== "string" || Array.from(value.trim()).length !== length) {
        throw new CreditCodeError(
          `The ${name} part of a credit code must be ${length} character${length === 1 ? "" : "s"} long, got ${JSON.stringify(value)}.`,
        );
      }
    }
    prefix = `${authority.trim()}${kind.trim()}${region.trim()}${organization.trim()}`;
  }
  const normalized = normalizeCreditCode(prefix);
  return `${normalized}${creditCodeCheckCharacter(normalized)}`;
}
