/**
 * The rules of the Unified Social Credit Code (统一社会信用代码, GB 32100-2015) shared by
 * the validator and the generator: alphabet, check-character weights, the meaning of
 * the first two characters, and per-position character rules. See /work/shared/DOMAIN.md.
 */

/** The 31 code symbols in value order, 0–30: digits and capitals without I, O, S, V, Z. */
export const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/** Weight of positions 1–17 in the check sum: 3^(i-1) mod 31. */
export const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

export const CODE_LENGTH = 18;

/** Positions (1-based) of the administrative region code, which must be digits. */
const REGION_START = 3;
const REGION_END = 8;

/**
 * The form every check is made on: NFKC (so full-width ９１ typed with a Chinese input
 * method becomes 91), trimmed, upper case.
 */
export function normalizeCreditCode(input: string): string {
  return input.normalize("NFKC").trim().toUpperCase();
}

export type CharacterProblem = {
  reason: "character" | "region";
  /** 1-based position of the offending character. */
  position: number;
  message: string;
};

/** How to show one character in a message: itself, or its code point if it is invisible. */
function show(char: string): string {
  const codePoint = char.codePointAt(0) ?? 0;
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
  if (/\s/u.test(char)) return `a space (${hex})`;
  if (/\p{C}/u.test(char)) return `an invisible character (${hex})`;
  return `'${char}'`;
}

/** The first character that cannot stand at its position, for up to 18 characters. */
export function findCharacterProblem(chars: readonly string[]): CharacterProblem | undefined {
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as string;
    const position = i + 1;
    const inAlphabet = char.length === 1 && ALPHABET.includes(char);
    if (position >= REGION_START && position <= REGION_END) {
      if (char >= "0" && char <= "9" && char.length === 1) continue;
      if (inAlphabet) {
        return {
          reason: "region",
          position,
          message: `position ${position}: ${show(char)} is not a digit (positions 3–8 are the six-digit administrative region code)`,
        };
      }
    } else if (inAlphabet) {
      continue;
    }
    const hint = "IOSVZ".includes(char)
      ? "the code alphabet has no I, O, S, V, Z"
      : "only digits and the capital letters A–Y other than I, O, S, V are allowed";
    return {
      reason: "character",
      position,
      message: `position ${position}: ${show(char)} is not allowed (${hint})`,
    };
  }
  return undefined;
}

/** The check character for 17 characters already known to be in the alphabet. */
export function computeCheckCharacter(chars: readonly string[]): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += ALPHABET.indexOf(chars[i] as string) * (WEIGHTS[i] as number);
  }
  return ALPHABET[(31 - (sum % 31)) % 31] as string;
}

export type CreditCodeCategory = {
  /** The character in the code. */
  code: string;
  /** English name, or undefined for a character the table does not describe. */
  name: string | undefined;
  /** Chinese name as the standard has it, or undefined likewise. */
  nameZh: string | undefined;
};

type Names = readonly [name: string, nameZh: string];

/** Position 1: the registering authority. */
const AUTHORITIES: Readonly<Record<string, Names>> = {
  "1": ["staffing administration", "机构编制"],
  "5": ["civil affairs", "民政"],
  "9": ["market regulation", "工商"],
  Y: ["other", "其他"],
};

/** Position 2: the kind of organisation, which depends on the authority. */
const KINDS: Readonly<Record<string, Readonly<Record<string, Names>>>> = {
  "1": {
    "1": ["government organ", "机关"],
    "2": ["public institution", "事业单位"],
    "3": ["mass organisation", "群众团体"],
    "9": ["other", "其他"],
  },
  "5": {
    "1": ["social organisation", "社会团体"],
    "2": ["private non-enterprise unit", "民办非企业单位"],
    "3": ["foundation", "基金会"],
    "9": ["other", "其他"],
  },
  "9": {
    "1": ["enterprise", "企业"],
    "2": ["individual business", "个体工商户"],
    "3": ["farmers' specialised cooperative", "农民专业合作社"],
  },
};

export function describeAuthority(code: string): CreditCodeCategory {
  const names = AUTHORITIES[code];
  return { code, name: names?.[0], nameZh: names?.[1] };
}

/** The kind of organisation, or undefined where the table does not say. */
export function describeKind(authority: string, code: string): CreditCodeCategory | undefined {
  const names = KINDS[authority]?.[code];
  return names ? { code, name: names[0], nameZh: names[1] } : undefined;
}
