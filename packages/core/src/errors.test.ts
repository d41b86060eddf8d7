import { describe, expect, test } from "vitest";
import { AmountParseError, CoreError, CreditCodeError, CurrencyError, MerkleArgumentError } from "./errors.ts";

describe("CoreError", () => {
  test("behavior: the message is the short message when there are no details", () => {
    const error = new CoreError("Something is wrong.");
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: "CoreError",
      message: "Something is wrong.",
      shortMessage: "Something is wrong.",
      details: undefined,
    });
  });

  test("behavior: details are appended to the message and kept apart", () => {
    const error = new CoreError("Something is wrong.", { details: "Try again." });
    expect(error.message).toBe("Something is wrong.\n\nDetails: Try again.");
    expect(error.shortMessage).toBe("Something is wrong.");
    expect(error.details).toBe("Try again.");
  });

  test("behavior: keeps the cause", () => {
    const cause = new Error("underlying");
    expect(new CoreError("Wrapped.", { cause }).cause).toBe(cause);
    expect(new CoreError("Unwrapped.")).not.toHaveProperty("cause");
  });

  test("behavior: every subclass is a CoreError with its own name", () => {
    const errors = [
      new AmountParseError("Bad amount.", { reason: "empty", input: "" }),
      new CurrencyError("XYZ"),
      new CreditCodeError("Bad code."),
      new MerkleArgumentError("Bad hash."),
    ];
    expect(errors.map((error) => error instanceof CoreError)).toEqual([true, true, true, true]);
    expect(errors.map((error) => error.name)).toEqual([
      "AmountParseError",
      "CurrencyError",
      "CreditCodeError",
      "MerkleArgumentError",
    ]);
  });
});
