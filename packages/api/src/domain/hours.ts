/** Volunteer minutes as hours for display: a decimal string with two places, rounded half up. */
export function hoursText(minutes: bigint): string {
  const negative = minutes < 0n;
  const abs = negative ? -minutes : minutes;
  const hundredths = (abs * 100n * 2n + 60n) / 120n;
  const text = `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, "0")}`;
  return negative ? `-${text}` : text;
}
