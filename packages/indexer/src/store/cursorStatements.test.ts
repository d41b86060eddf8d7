import { describe, expect, test } from "vitest";
import { cursorStatements } from "./cursorStatements.ts";
import { StoreError } from "./errors.ts";

describe("cursorStatements", () => {
  test("behavior: a cursor inside its transaction", () => {
    expect(cursorStatements({ name: "c1", sql: "select 1", pageSize: 10, withHold: false })).toStrictEqual({
      declare: "declare c1 no scroll cursor for select 1",
      fetch: "fetch forward 10 from c1",
      close: "close c1",
    });
  });

  test("args: withHold keeps the cursor past its transaction", () => {
    expect(cursorStatements({ name: "c", sql: "select 1", pageSize: 1, withHold: true }).declare).toBe(
      "declare c no scroll cursor with hold for select 1",
    );
  });

  test("args: a trailing semicolon and whitespace are dropped", () => {
    expect(cursorStatements({ name: "c", sql: "select 1 ; \n", pageSize: 1, withHold: false }).declare).toBe(
      "declare c no scroll cursor for select 1",
    );
  });

  test("error: a page size that is not a positive integer", () => {
    for (const pageSize of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => cursorStatements({ name: "c", sql: "select 1", pageSize, withHold: false })).toThrow(StoreError);
    }
  });
});
