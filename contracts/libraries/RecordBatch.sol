// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

import {ITransparencyLog} from "../interfaces/ITransparencyLog.sol";
import {Entries} from "./Entries.sol";

/// @title RecordBatch
/// @notice A module's checks that each record of a batch is new: against the log, whose heads of the
/// batch's record streams are read in one call, and against the rows of the batch before it, as if
/// they were already on the log.
/// @dev The rows claimed so far are an open-addressing set in memory: `seen[slot]` holds row + 1 (0
/// for none) of the row whose stream hashed there; its length is a power of two of at least twice
/// the batch's, so that probes stay short. Stream ids are Keccak hashes: their low bits are spread
/// evenly.
library RecordBatch {
    struct Claims {
        bytes32[] streams;
        ITransparencyLog.StreamHead[] heads;
        uint256 logSize;
        uint256[] seen;
    }

    /// @notice The record streams of organisation `orgId`'s references `refs`, with their heads and
    /// the log's size read in one call, and no row claimed yet.
    function open(ITransparencyLog log, uint64 orgId, bytes32[] memory refs) internal view returns (Claims memory c) {
        uint256 n = refs.length;
        c.streams = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            c.streams[i] = Entries.recordStream(orgId, refs[i]);
        }
        (c.heads, c.logSize) = log.streamHeads(c.streams);
        uint256 slots = 2;
        while (slots < 2 * n) slots <<= 1;
        c.seen = new uint256[](slots);
    }

    /// @notice Claims row `i`'s record stream: `taken` if the log or an earlier row of the batch has
    /// it, with `index` the entry that holds it (the latest on the log, or the one the row gets).
    function claim(Claims memory c, uint256 i) internal pure returns (bool taken, uint64 index) {
        ITransparencyLog.StreamHead memory head = c.heads[i];
        if (head.count != 0) return (true, head.lastIndex);
        bytes32 stream = c.streams[i];
        uint256[] memory seen = c.seen;
        uint256 mask = seen.length - 1;
        for (uint256 slot = uint256(stream) & mask;; slot = (slot + 1) & mask) {
            uint256 earlier = seen[slot];
            if (earlier == 0) {
                seen[slot] = i + 1;
                return (false, 0);
            }
            if (c.streams[earlier - 1] == stream) return (true, uint64(c.logSize + earlier - 1));
        }
    }
}
