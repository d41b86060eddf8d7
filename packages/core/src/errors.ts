/**
 * The errors @shanji/core throws. Every one is a `CoreError`, so callers can tell
 * our failures (bad input they can show to a user) from bugs with one `instanceof`.
 * `shortMessage` is a single sentence fit for a form or an API answer; `message`
 * adds the details for logs.
 */

export type CoreErrorOptions = {
  /** A longer explanation or a hint for fixing the input. */
  details?: string | undefined;
  /** The error that led to this one, if any. */
  cause?: unknown;
};

export class CoreError extends Error {
  override name = "CoreError";
  readonly shortMessage: string;
  readonly details: string | undefined;

  constructor(shortMessage: string, options: CoreErrorOptions = {}) {
    const { details, cause } = options;
    super(
      details ? `${shortMessage}\n\nDetails: ${details}` : shortMessage,
      cause === undefined ? undefined : { cause },
    );
    this.shortMessage = shortMessage;
    this.details = details;
  }
}

/** Why `parseAmount` refused its input. */
export type AmountParseErrorReason =
  /** Nothing but whitespace. */
  | "empty"
  /** A leading minus sign: amounts in the ledger are never negative. */
  | "negative"
  /** Something other than digits, `,` and `.` (a currency symbol, a space, a letter). */
  | "characters"
  /** A `,` or `.` in the wrong place. */
  | "separators"
  /** More decimal places than the currency has. */
  | "decimals";

export class AmountParseError extends CoreError {
  override name = "AmountParseError";
  readonly reason: AmountParseErrorReason;
  /** The text that failed to parse, as given. */
  readonly input: string;

  constructor(shortMessage: string, options: CoreErrorOptions & { reason: AmountParseErrorReason; input: string }) {
    super(shortMessage, options);
    this.reason = options.reason;
    this.input = options.input;
  }
}

/** A currency code the money module does not know. */
export class CurrencyError extends CoreError {
  override name = "CurrencyError";
  readonly currency: string;

  constructor(currency: string, options: CoreErrorOptions = {}) {
    super(`Unknown currency code ${JSON.stringify(currency)}.`, {
      details: "Use an ISO 4217 alphabetic code in upper case, such as CNY, HKD or USD.",
      ...options,
    });
    this.currency = currency;
  }
}

/** A malformed argument to a credit-code helper that builds codes (not a validation result). */
export class CreditCodeError extends CoreError {
  override name = "CreditCodeError";
}

/** A malformed argument to a Merkle tree function: a bad hash, an index outside the tree. */
export class MerkleArgumentError extends CoreError {
  override name = "MerkleArgumentError";
}
