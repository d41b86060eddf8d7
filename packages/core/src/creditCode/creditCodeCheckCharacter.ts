/**
 * The check character (position 18) of a Unified Social Credit Code, computed from its
 * first 17 characters by GB 32100-2015: sum value × 3^(i-1) mod 31, take (31 − sum mod
 * 31) mod 31, and read that value off the code alphabet.
 */
import { CreditCodeError } from "../errors.ts";
import { computeCheckCharacter, findCharacterProblem, normalizeCreditCode } from "./_rules.ts";

export type CreditCodeCheckCharacterParameters = Parameters<typeof creditCodeCheckCharacter>;
export type CreditCodeCheckCharacterReturnType = string;

export function creditCodeCheckCharacter(first17: string): CreditCodeCheckCharacterReturnType {
  const chars = Array.from(normalizeCreditCode(String(first17)));
  if (chars.length !== 17) {
    throw new CreditCodeError(`Expected the first 17 characters of a credit code, got ${chars.length}.`);
  }
  const problem = findCharacterProblem(chars);
  if (problem) throw new CreditCodeError(`Cannot compute a check character: ${problem.message}.`);
  return computeCheckCharacter(chars);
}
