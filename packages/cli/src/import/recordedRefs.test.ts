import { recordStream } from "@shanji/core";
import { expect, test } from "vitest";
import { recordStreamFast } from "./recordedRefs.ts";
import { externalRefOf } from "./validateRows.ts";

test("behavior: recordStreamFast is @shanji/core's recordStream", () => {
  for (const [org, row] of [
    [1n, "A-1"],
    [2n ** 63n + 5n, "凭证-000123"],
    [77n, ""],
  ] as const) {
    const ref = externalRefOf("donations", row);
    expect(recordStreamFast(org, ref)).toBe(recordStream(org, ref));
  }
});
