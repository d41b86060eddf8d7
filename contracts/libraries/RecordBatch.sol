// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

/// @title RecordBatch
/// @notice The set of record streams that a module's batch has claimed so far, so that a reference
/// repeated within one batch is refused as if the rows before it were already on the log.
/// @dev An open-addressing set in memory: `seen[slot]` holds row + 1 (0 for none) of the row whose
/// stream hashed there; its length is a power of two of at least twice the batch's, so that probes
/// stay short. Stream ids are Keccak hashes: their low bits are spread evenly.
library RecordBatch {
    /// @notice An empty set for a batch of `n` rows.
    function newSet(uint256 n) internal pure returns (uint256[] memory seen) {
        uint256 slots = 2;
        while (slots < 2 * n) slots <<= 1;
        seen = new uint256[](slots);
    }

    /// @notice Claims row `i`'s stream `streams[i]`: returns 0, or the earlier row that claimed the
    /// same stream, plus one.
    function claim(bytes32[] memory streams, uint256 i, uint256[] memory seen)
        internal
        pure
        returns (uint256 earlier)
    {
        bytes32 stream = streams[i];
        uint256 mask = seen.length - 1;
        for (uint256 slot = uint256(stream) & mask;; slot = (slot + 1) & mask) {
            earlier = seen[slot];
            if (earlier == 0) {
                seen[slot] = i + 1;
                return 0;
            }
            if (streams[earlier - 1] == stream) return earlier;
        }
    }
}
