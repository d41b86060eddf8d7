/**
 * The API's answers as the portal reads them: the types are taken from the API's own TypeBox
 * response schemas (type-only imports, erased from the bundle), so a changed answer fails the
 * portal's typecheck instead of its pages.
 */
import type { Static } from "typebox";
import type { EntryAnswer as EntryAnswerSchema } from "../../../api/src/routes/ledger/entryRoute.ts";
import type { StatusAnswer } from "../../../api/src/routes/ledger/statusRoute.ts";
import type { StreamHistoryAnswer } from "../../../api/src/routes/ledger/streamHistoryRoute.ts";

export type Status = Static<typeof StatusAnswer>;
export type EntryAnswer = Static<typeof EntryAnswerSchema>;
export type StreamHistory = Static<typeof StreamHistoryAnswer>;
export type LedgerMeta = Status["ledger"];
