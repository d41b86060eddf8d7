/**
 * Checks a Unified Social Credit Code (统一社会信用代码, GB 32100-2015), the 18-character
 * identity every organisation in the registry carries, and says in plain English what
 * is wrong with it, so that a form can point at the mistyped character.
 *
 * Input is normalised first (NFKC, trim, upper case): lower case and full-width
 * characters are typing habits, not errors. The shape is then checked position by
 * position, and finally the check character. A failed check character is reported
 * like any other problem; whether to accept such a code anyway (a regulator may, when
 * accrediting) is the caller's decision, not this function's.
 */
import {
  CODE_LENGTH,
  type CreditCodeCategory,
  computeCheckCharacter,
  describeAuthority,
  describeKind,
  findCharacterProblem,
  normalizeCreditCode,
} from "./_rules.ts";

export type { CreditCodeCategory } from "./_rules.ts";

export type ValidateCreditCodeParameters = Parameters<typeof validateCreditCode>;

export type ValidCreditCode = {
  valid: true;
  /** The normalised code. */
  code: string;
  /** Position 1: the registering authority. */
  authority: CreditCodeCategory;
  /** Position 2: the kind of organisation, when the authority's table lists it. */
  kind?: CreditCodeCategory;
  /** Positions 3–8: the GB/T 2260 administrative region code (not checked against the list). */
  region: string;
  /** Positions 9–17: the GB 11714 organisation code. */
  organization: string;
};

export type InvalidCreditCode = {
  valid: false;
  /** The normalised input. */
  code: string;
  /**
   * `length`: not 18 characters. `character`: a character outside the code alphabet.
   * `region`: a letter among the six region digits. `check`: the last character does
   * not match the other seventeen.
   */
  reason: "length" | "character" | "region" | "check";
  /** 1-based position of the problem, for every reason but `length`. */
  position?: number;
  /** For `check`: the check character the other seventeen call for. */
  expected?: string;
  /** Plain English, naming the position and the problem. */
  message: string;
};

export type ValidateCreditCodeReturnType = ValidCreditCode | InvalidCreditCode;

export function validateCreditCode(input: string): ValidateCreditCodeReturnType {
  const code = normalizeCreditCode(String(input));
  // Code points, not UTF-16 units, so positions in messages match what the user sees.
  const chars = Array.from(code);

  if (chars.length !== CODE_LENGTH) {
    const message =
      chars.length === 0
        ? "the code is empty; a Unified Social Credit Code has 18 characters"
        : `the code has ${chars.length} character${chars.length === 1 ? "" : "s"}; a Unified Social Credit Code has 18`;
    return { valid: false, code, reason: "length", message };
  }

  const problem = findCharacterProblem(chars);
  if (problem) return { valid: false, code, ...problem };

  const expected = computeCheckCharacter(chars);
  const actual = chars[17] as string;
  if (actual !== expected) {
    return {
      valid: false,
      code,
      reason: "check",
      position: CODE_LENGTH,
      expected,
      message: `check character is '${actual}' but should be '${expected}'`,
    };
  }

  const authority = chars[0] as string;
  const kind = describeKind(authority, chars[1] as string);
  return {
    valid: true,
    code,
    authority: describeAuthority(authority),
    ...(kind ? { kind } : {}),
    region: code.slice(2, 8),
    organization: code.slice(8, 17),
  };
}
