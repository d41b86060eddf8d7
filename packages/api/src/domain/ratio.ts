/**
 * Exact ratios of amounts, with bigint arithmetic only: a management-cost ratio is shown as a
 * decimal string with four places, and compared with its limit exactly (never after rounding).
 */

/** A non-negative fraction num / den, den > 0. */
export type Fraction = { num: bigint; den: bigint };

/** Places of a ratio as shown: "0.0834" is 8.34%. */
export const RATIO_PLACES = 4;

/** "0.10" → 10/100; undefined unless it is a plain non-negative decimal. */
export function parseFraction(value: string): Fraction | undefined {
  const match = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,18}))?$/.exec(value);
  if (!match) return undefined;
  const [, units = "0", decimals = ""] = match;
  const den = 10n ** BigInt(decimals.length);
  return { num: BigInt(units) * den + BigInt(decimals || "0"), den };
}

/**
 * part / whole as a decimal string with RATIO_PLACES places, rounded half up (the fifth place
 * decides): 834/10000 → "0.0834", 1/3 → "0.3333", 2/3 → "0.6667". Null when whole is 0.
 */
export function formatRatio(part: bigint, whole: bigint): string | null {
  if (whole <= 0n || part < 0n) return null;
  const scale = 10n ** BigInt(RATIO_PLACES);
  const scaled = (part * scale * 2n + whole) / (whole * 2n);
  const units = scaled / scale;
  const fraction = (scaled % scale).toString().padStart(RATIO_PLACES, "0");
  return `${units}.${fraction}`;
}

/** part / whole > limit, exactly. False when whole is 0. */
export function exceeds(part: bigint, whole: bigint, limit: Fraction): boolean {
  if (whole <= 0n) return false;
  return part * limit.den > limit.num * whole;
}
