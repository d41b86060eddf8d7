/**
 * Fund flow: which inflow paid for which outflow. A donor's trace is built on it. The rule:
 *
 * Money arrives in a campaign in lots: a donation, or a grant from another campaign (a
 * disbursement to an organisation is an outflow of the paying campaign and a lot of the receiving
 * one). A donation that names a purpose is earmarked (定向) for it. A grant arrives unrestricted:
 * purpose tags belong to the campaign that lists them. An in-kind donation is a lot worth its
 * valuation. Lots queue in the order of their entries.
 *
 * A disbursement for purpose T is paid from the campaign's lots, oldest first:
 *   1. from lots earmarked for T;
 *   2. then from unrestricted lots;
 *   3. then, if that is not enough, from lots earmarked for other purposes. The contract checks
 *      only the campaign's total balance, so this can happen; each such part is flagged
 *      `restrictedMisuse`.
 * A disbursement with no purpose starts at step 2.
 *
 * Reversals never rewrite what has been paid:
 * - A reversed donation takes its lot out of the campaign: first what is left of it. What it had
 *   already paid for stays allocated there, and that much more is taken from the campaign's other
 *   lots by steps 1–3 for the donation's purpose, as an outflow of kind "reversal".
 * - A reversed disbursement gives each lot back exactly what it took from it; the lot keeps its
 *   place in the queue. Its allocations are marked `reversedByIndex`. Money given back to a lot
 *   that has itself been reversed goes on to the lots that covered its reversal, in the order they
 *   covered it, and those allocations are marked (split where only part goes back).
 * - A reversed grant is both: the paying campaign's lots get their money back, and the grant's lot
 *   is taken out of the receiving campaign like a reversed donation.
 *
 * The function is pure: it reads only its input, and the same entries always give the same
 * allocations, so the indexer can rebuild them from the chain at any time.
 */
import { type Entry, entryKind, payeeKind } from "@shanji/core";
import { minBigInt, purposeKey } from "./_fundFlow.ts";
import { FundFlowError } from "./fundFlowError.ts";

/** What an outflow is: a disbursement (grants included), or a reversal that took a lot out. */
export type AllocationTargetKind = "disbursement" | "reversal";

export type Allocation = {
  campaignId: bigint;
  /** The lot: a donation to the campaign, or a grant it received. */
  sourceIndex: bigint;
  /** The outflow: a disbursement of the campaign, or the reversal entry that took a lot out of it. */
  targetIndex: bigint;
  targetKind: AllocationTargetKind;
  amount: bigint;
  /** The lot is earmarked for another purpose than the outflow serves. */
  restrictedMisuse: boolean;
  /** The reversal that gave this amount back to the lot, or null while the allocation stands. */
  reversedByIndex: bigint | null;
};

/**
 * Entries in log order; entries other than the charity module's are ignored. Only campaigns whose
 * `campaignOpened` entry is among them are allocated; a grant from any other campaign is still a
 * lot of the campaign it pays. Allocation never looks across campaigns, so one campaign's stream
 * gives the same allocations for it as the whole ledger does.
 */
export type AllocateFundsParameters = readonly Pick<Entry, "index" | "record">[];
/**
 * Sorted by targetIndex, then sourceIndex, then reversedByIndex (standing first). One pair of lot
 * and outflow appears more than once only when part of it was given back.
 */
export type AllocateFundsReturnType = Allocation[];

/**
 * A campaign's lots of one kind in entry order, with a min-heap of the positions of those that may
 * still hold money: paying out never rescans emptied lots, even after money comes back to old ones.
 */
type Queue = { lots: Lot[]; holding: number[] };

type CampaignState = {
  id: bigint;
  currency: string;
  /** What its open lots hold; always the contract's balance of the campaign. */
  available: bigint;
  unrestricted: Queue;
  /** Every earmarked lot, whatever its purpose (for step 3). */
  earmarked: Queue;
  byPurpose: Map<string, Queue>;
};

type Lot = {
  index: bigint;
  campaign: CampaignState;
  amount: bigint;
  remaining: bigint;
  purpose: string | null;
  reversed: boolean;
  /**
   * Where the lot sits, to requeue it when money comes back: its queue (unrestricted, or its
   * purpose's), its position there and whether that position is in the queue's heap; an earmarked
   * lot sits in the campaign's `earmarked` queue too (queue2). Fields, not a list of places: a lot
   * is kept until the end, one per donation.
   */
  queue: Queue;
  position: number;
  queued: boolean;
  queue2: Queue | null;
  position2: number;
  queued2: boolean;
  /** Once reversed: the allocations that covered what it had already paid for, in order. */
  cover: readonly Piece[];
};

/** An allocation under construction; `amount` and `reversedByIndex` change as money goes back. */
type Piece = {
  lot: Lot;
  targetIndex: bigint;
  targetKind: AllocationTargetKind;
  amount: bigint;
  restrictedMisuse: boolean;
  reversedByIndex: bigint | null;
  /** The last part split off this one, to merge with when one reversal gives back to it twice. */
  split: Piece | null;
};

type Disbursement = {
  campaignId: bigint;
  payeeCampaignId: bigint;
  amount: bigint;
  /** Empty when the paying campaign is not allocated. */
  pieces: Piece[];
  /** Its lot in the receiving campaign, for a grant to a campaign that is allocated. */
  grant: Lot | null;
  reversed: boolean;
};

export function allocateFunds(entries: AllocateFundsParameters): AllocateFundsReturnType {
  const allocator = createAllocator();
  for (const entry of entries) allocator.add(entry);
  return allocator.finish();
}

/**
 * allocateFunds an entry at a time: `add` them in log order, then `finish` for the allocations.
 * What it keeps is the state of the campaigns' lots and of the allocations made, not the entries,
 * so that a long stream can be read a page at a time, and taken on later: `finish` changes nothing,
 * and more entries may be added after it.
 */
export function createAllocator(): {
  add(entry: AllocateFundsParameters[number]): void;
  finish(): AllocateFundsReturnType;
  /** A mark to pass to `finishSince`: how far the allocations made so far go. */
  mark(): number;
  /**
   * The allocations made since `mark`, in finish's order. Only a reversal changes an allocation
   * made before it, and every other entry pays for itself, after every earlier entry: so unless a
   * reversal was added since `mark`, finish() is its earlier answer followed by these.
   */
  finishSince(mark: number): AllocateFundsReturnType;
} {
  const campaigns = new Map<bigint, CampaignState>();
  /** The donations' lots in entry order (as they come), for a reversal to find by binary search. */
  const donations: Lot[] = [];
  const disbursements = new Map<bigint, Disbursement>();
  const pieces: Piece[] = [];

  const fail = (entryIndex: bigint, message: string, details?: string): never => {
    throw new FundFlowError(message, {
      entryIndex,
      details: details ?? "The contracts refuse this, so entries are missing or out of order.",
    });
  };

  /** The campaign if it was opened in the input (else null: not allocated), checking the currency. */
  const opened = (id: bigint, currency: string, at: bigint): CampaignState | null => {
    const c = campaigns.get(id) ?? null;
    if (c !== null && c.currency !== currency) {
      fail(at, `Campaign ${id} is in ${c.currency}, entry ${at} in ${currency}.`);
    }
    return c;
  };

  /** Puts the lot at the end of the queue; returns its position there. */
  const enqueue = (queue: Queue, lot: Lot): number => {
    const position = queue.lots.length;
    queue.lots.push(lot);
    heapPush(queue.holding, position);
    return position;
  };

  const addLot = (campaign: CampaignState, index: bigint, amount: bigint, purpose: string | null): Lot => {
    let queue = campaign.unrestricted;
    if (purpose !== null) {
      let byPurpose = campaign.byPurpose.get(purpose);
      if (byPurpose === undefined) {
        byPurpose = { lots: [], holding: [] };
        campaign.byPurpose.set(purpose, byPurpose);
      }
      queue = byPurpose;
    }
    const lot: Lot = {
      index,
      campaign,
      amount,
      remaining: amount,
      purpose,
      reversed: false,
      queue,
      position: 0,
      queued: true,
      queue2: purpose === null ? null : campaign.earmarked,
      position2: 0,
      queued2: purpose !== null,
      cover: NO_PIECES,
    };
    lot.position = enqueue(queue, lot);
    if (lot.queue2 !== null) lot.position2 = enqueue(lot.queue2, lot);
    campaign.available += amount;
    return lot;
  };

  /** The lot of donation `index`, if the input holds it. */
  const donation = (index: bigint): Lot | undefined => {
    let low = 0;
    let high = donations.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const lot = donations[middle] as Lot;
      if (lot.index === index) return lot;
      if (lot.index < index) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  };

  /** Pays `amount` out of `campaign` by steps 1–3 for `purpose`. */
  const take = (
    campaign: CampaignState,
    amount: bigint,
    purpose: string | null,
    targetIndex: bigint,
    targetKind: AllocationTargetKind,
  ): Piece[] => {
    if (amount > campaign.available) {
      fail(targetIndex, `Campaign ${campaign.id} holds ${campaign.available} and cannot pay ${amount}.`);
    }
    const taken: Piece[] = [];
    let left = amount;
    const drain = (queue: Queue | undefined) => {
      if (queue === undefined) return;
      while (left > 0n) {
        const position: number | undefined = queue.holding[0];
        if (position === undefined) return;
        const lot: Lot | undefined = queue.lots[position];
        if (lot === undefined) return;
        if (lot.remaining === 0n) {
          heapPop(queue.holding);
          unqueue(lot, queue);
          continue;
        }
        const part = minBigInt(lot.remaining, left);
        lot.remaining -= part;
        left -= part;
        const restrictedMisuse = lot.purpose !== null && lot.purpose !== purpose;
        const piece: Piece = {
          lot,
          targetIndex,
          targetKind,
          amount: part,
          restrictedMisuse,
          reversedByIndex: null,
          split: null,
        };
        taken.push(piece);
        pieces.push(piece);
      }
    };
    if (purpose !== null) drain(campaign.byPurpose.get(purpose));
    drain(campaign.unrestricted);
    // Lots earmarked for `purpose` were emptied by step 1, so only other purposes are left here.
    drain(campaign.earmarked);
    campaign.available -= amount;
    return taken;
  };

  /** Takes a donation's or a grant's lot out of its campaign, as reversal `at`. */
  const reverseLot = (lot: Lot, at: bigint) => {
    lot.reversed = true;
    const unspent = lot.remaining;
    if (unspent > 0n) {
      const piece: Piece = {
        lot,
        targetIndex: at,
        targetKind: "reversal",
        amount: unspent,
        restrictedMisuse: false,
        reversedByIndex: null,
        split: null,
      };
      pieces.push(piece);
      lot.remaining = 0n;
      lot.campaign.available -= unspent;
    }
    const spent = lot.amount - unspent;
    if (spent > 0n) lot.cover = take(lot.campaign, spent, lot.purpose, at, "reversal");
  };

  /** Gives `amount` back to `lot`, as reversal `at`. */
  const giveBack = (lot: Lot, amount: bigint, at: bigint) => {
    if (!lot.reversed) {
      lot.remaining += amount;
      lot.campaign.available += amount;
      if (!lot.queued) {
        lot.queued = true;
        heapPush(lot.queue.holding, lot.position);
      }
      if (lot.queue2 !== null && !lot.queued2) {
        lot.queued2 = true;
        heapPush(lot.queue2.holding, lot.position2);
      }
      return;
    }
    let left = amount;
    for (const piece of lot.cover) {
      if (left === 0n) break;
      if (piece.reversedByIndex !== null) continue;
      const part = minBigInt(piece.amount, left);
      if (piece.split?.reversedByIndex === at) {
        // The same reversal reached this piece twice: one allocation for all it gave back.
        piece.split.amount += part;
        piece.amount -= part;
        if (piece.amount === 0n) piece.reversedByIndex = at;
      } else if (part === piece.amount) {
        piece.reversedByIndex = at;
      } else {
        piece.amount -= part;
        piece.split = { ...piece, amount: part, reversedByIndex: at, split: null };
        pieces.push(piece.split);
      }
      left -= part;
      giveBack(piece.lot, part, at);
    }
    // A reversed lot gets back at most what it had spent when it was reversed, which its cover paid.
    if (left > 0n) fail(at, `Entry ${at} gives back more to lot ${lot.index} than it had spent.`);
  };

  let previous: bigint | null = null;
  const add = (entry: AllocateFundsParameters[number]) => {
    const at = entry.index;
    if (previous !== null && at <= previous) {
      fail(at, `Entry ${at} comes after entry ${previous}.`, "Entries must be given in log order, each once.");
    }
    previous = at;
    const r = entry.record;
    switch (r.type) {
      case "campaignOpened":
        if (campaigns.has(r.campaignId)) fail(at, `Campaign ${r.campaignId} is opened a second time.`);
        campaigns.set(r.campaignId, {
          id: r.campaignId,
          currency: r.currency,
          available: 0n,
          unrestricted: { lots: [], holding: [] },
          earmarked: { lots: [], holding: [] },
          byPurpose: new Map(),
        });
        break;
      case "campaignClosed": {
        const c = campaigns.get(r.campaignId);
        if (c !== undefined && c.available !== r.balance) {
          fail(at, `Campaign ${r.campaignId} closed with balance ${r.balance}, but its lots hold ${c.available}.`);
        }
        break;
      }
      case "donationRecorded": {
        const c = opened(r.campaignId, r.currency, at);
        if (c !== null) donations.push(addLot(c, at, r.amount, purposeKey(r.purposeTag)));
        break;
      }
      case "disbursementRecorded": {
        const isGrant = r.payeeKind === payeeKind.organisation;
        if (isGrant && (r.payeeCampaignId === 0n || r.payeeCampaignId === r.campaignId)) {
          fail(at, `Grant ${at} names campaign ${r.payeeCampaignId} as its payee.`);
        }
        const c = opened(r.campaignId, r.currency, at);
        const taken = c === null ? [] : take(c, r.amount, purposeKey(r.purposeTag), at, "disbursement");
        const payee = isGrant ? opened(r.payeeCampaignId, r.currency, at) : null;
        disbursements.set(at, {
          campaignId: r.campaignId,
          payeeCampaignId: isGrant ? r.payeeCampaignId : 0n,
          amount: r.amount,
          pieces: taken,
          grant: payee === null ? null : addLot(payee, at, r.amount, null),
          reversed: false,
        });
        break;
      }
      case "recordReversed": {
        if (r.targetKind === entryKind.donationRecorded) {
          if (!campaigns.has(r.campaignId)) break;
          const lot = donation(r.targetIndex);
          if (lot === undefined || lot.campaign.id !== r.campaignId || lot.amount !== r.amount) {
            fail(at, `Reversal ${at} names donation ${r.targetIndex}, which is not in the entries as given.`);
          } else if (lot.reversed) {
            fail(at, `Reversal ${at} reverses donation ${r.targetIndex} a second time.`);
          } else {
            reverseLot(lot, at);
          }
        } else if (r.targetKind === entryKind.disbursementRecorded) {
          if (!campaigns.has(r.campaignId) && !campaigns.has(r.payeeCampaignId)) break;
          const d = disbursements.get(r.targetIndex);
          if (
            d === undefined ||
            d.campaignId !== r.campaignId ||
            d.amount !== r.amount ||
            d.payeeCampaignId !== r.payeeCampaignId
          ) {
            fail(at, `Reversal ${at} names disbursement ${r.targetIndex}, which is not in the entries as given.`);
          } else if (d.reversed) {
            fail(at, `Reversal ${at} reverses disbursement ${r.targetIndex} a second time.`);
          } else {
            d.reversed = true;
            for (const piece of d.pieces) {
              piece.reversedByIndex = at;
              giveBack(piece.lot, piece.amount, at);
            }
            if (d.grant !== null) reverseLot(d.grant, at);
          }
        } else {
          fail(at, `Reversal ${at} names entry kind ${r.targetKind}, which holds no money.`);
        }
        break;
      }
      default:
        break;
    }
  };

  return {
    add,
    finish: () => collect(pieces),
    mark: () => pieces.length,
    finishSince: (mark: number) => collect(pieces.slice(mark)),
  };
}

/** The cover of a lot not reversed: none (shared and never written to; reverseLot replaces it). */
const NO_PIECES: readonly Piece[] = Object.freeze([]);

const compare = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/** The output, sorted; a piece emptied into its split (see giveBack) is left out. */
function collect(pieces: readonly Piece[]): Allocation[] {
  return pieces
    .filter((p) => p.amount > 0n)
    .map(
      (p): Allocation => ({
        campaignId: p.lot.campaign.id,
        sourceIndex: p.lot.index,
        targetIndex: p.targetIndex,
        targetKind: p.targetKind,
        amount: p.amount,
        restrictedMisuse: p.restrictedMisuse,
        reversedByIndex: p.reversedByIndex,
      }),
    )
    .sort(
      (a, b) =>
        compare(a.targetIndex, b.targetIndex) ||
        compare(a.sourceIndex, b.sourceIndex) ||
        compare(a.reversedByIndex ?? -1n, b.reversedByIndex ?? -1n),
    );
}

function unqueue(lot: Lot, queue: Queue): void {
  if (lot.queue === queue) lot.queued = false;
  if (lot.queue2 === queue) lot.queued2 = false;
}

function heapPush(heap: number[], value: number): void {
  let i = heap.length;
  heap.push(value);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent] ?? value;
    if (p <= value) break;
    heap[i] = p;
    i = parent;
  }
  heap[i] = value;
}

function heapPop(heap: number[]): void {
  const last = heap.pop();
  if (last === undefined || heap.length === 0) return;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && (heap[right] ?? 0) < (heap[left] ?? 0) ? right : left;
    const c = heap[child] ?? last;
    if (last <= c) break;
    heap[i] = c;
    i = child;
  }
  heap[i] = last;
}
