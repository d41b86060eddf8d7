/**
 * The currencies the money module knows, with their ISO 4217 minor units (how many
 * decimal places an amount has). Amounts are stored as integer counts of the minor
 * unit, so this table decides what "1" means: 1 fen in CNY, 1 yen in JPY, 1 fils in KWD.
 *
 * Add a currency here, with the minor units from the ISO 4217 list, before the ledger
 * accepts it. Where common software shows fewer decimals than ISO (IDR, ISK), ISO wins:
 * the ledger must never round.
 */
export const currencies = {
  // Chinese mainland, Hong Kong, Macao, Taiwan
  CNY: 2,
  HKD: 2,
  MOP: 2,
  TWD: 2,
  // Major reserve currencies
  USD: 2,
  EUR: 2,
  GBP: 2,
  JPY: 0,
  CHF: 2,
  // Asia-Pacific
  AUD: 2,
  BDT: 2,
  BND: 2,
  IDR: 2,
  INR: 2,
  KHR: 2,
  KRW: 0,
  KZT: 2,
  LAK: 2,
  LKR: 2,
  MMK: 2,
  MNT: 2,
  MYR: 2,
  NPR: 2,
  NZD: 2,
  PHP: 2,
  PKR: 2,
  SGD: 2,
  THB: 2,
  VND: 0,
  VUV: 0,
  XPF: 0,
  // Europe
  CZK: 2,
  DKK: 2,
  HUF: 2,
  ISK: 0,
  NOK: 2,
  PLN: 2,
  RUB: 2,
  SEK: 2,
  TRY: 2,
  // Middle East and Africa
  AED: 2,
  BHD: 3,
  BIF: 0,
  DJF: 0,
  GNF: 0,
  ILS: 2,
  IQD: 3,
  JOD: 3,
  KMF: 0,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  RWF: 0,
  SAR: 2,
  TND: 3,
  UGX: 0,
  XAF: 0,
  XOF: 0,
  ZAR: 2,
  // Americas
  BRL: 2,
  CAD: 2,
  CLF: 4,
  CLP: 0,
  MXN: 2,
  PYG: 0,
  UYW: 4,
} as const satisfies Record<string, number>;

/** An ISO 4217 alphabetic code the money module knows. */
export type CurrencyCode = keyof typeof currencies;
