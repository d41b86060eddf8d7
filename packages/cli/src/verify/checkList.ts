/** The findings of a verification: each check with its verdict, and the first bad entry if any. */
export type Check = { check: string; ok: boolean; detail?: string | undefined };

export type CheckList = {
  checks: Check[];
  firstBadIndex: number | null;
  pass: (check: string, detail?: string) => void;
  /** Records a failed check; `index` is an entry it concerns (the lowest one is kept). */
  fail: (check: string, detail: string, index?: number | bigint) => void;
  readonly ok: boolean;
};

export function createCheckList(): CheckList {
  const list: CheckList = {
    checks: [],
    firstBadIndex: null,
    pass(check, detail) {
      list.checks.push({ check, ok: true, detail });
    },
    fail(check, detail, index) {
      list.checks.push({ check, ok: false, detail });
      if (index !== undefined) {
        const i = Number(index);
        if (list.firstBadIndex === null || i < list.firstBadIndex) list.firstBadIndex = i;
      }
    },
    get ok() {
      return list.checks.length > 0 && list.checks.every((c) => c.ok);
    },
  };
  return list;
}
