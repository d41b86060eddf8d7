// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

/// @title MerkleLog
/// @notice An append-only RFC 6962 / RFC 9162 Merkle tree over SHA-256, kept as the roots ("peaks")
/// of its perfect subtrees: appending costs one stored hash plus one hash per merged peak, and the
/// root is folded from at most 64 peaks on demand.
/// @dev `peaks[h]` holds the root of the perfect subtree of 2^h leaves whenever bit h of `size` is
/// set. Merged peaks are left in place (not zeroed) so that the slots stay warm-priced for reuse.
library MerkleLog {
    struct Tree {
        uint64 size;
        bytes32[64] peaks;
    }

    /// @notice SHA-256(0x00 ‖ data): the RFC 6962 leaf hash.
    function leafHash(bytes memory data) internal view returns (bytes32 h) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // Hash [0x00 ‖ data] in place: borrow the byte before `data` (the last byte of its
            // length word), then restore it. The SHA-256 precompile lives at address 0x02.
            let len := mload(data)
            let start := add(data, 0x1f)
            let saved := mload(data)
            mstore8(start, 0x00)
            if iszero(staticcall(gas(), 0x02, start, add(len, 1), 0x00, 0x20)) { revert(0, 0) }
            mstore(data, saved)
            h := mload(0x00)
        }
    }

    /// @notice SHA-256(0x01 ‖ left ‖ right): the RFC 6962 interior node hash.
    function nodeHash(bytes32 left, bytes32 right) internal view returns (bytes32 h) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // 65 bytes at the free memory pointer, not reserved: nothing is allocated meanwhile.
            let p := mload(0x40)
            mstore8(p, 0x01)
            mstore(add(p, 1), left)
            mstore(add(p, 33), right)
            if iszero(staticcall(gas(), 0x02, p, 65, 0x00, 0x20)) { revert(0, 0) }
            h := mload(0x00)
        }
    }

    /// @notice Appends a leaf hash; returns the index it got.
    function append(Tree storage tree, bytes32 leaf) internal returns (uint64 index) {
        index = tree.size;
        bytes32 h = leaf;
        uint256 height = 0;
        // Each set low bit of the old size is a peak that the new leaf completes.
        while ((index >> height) & 1 == 1) {
            h = nodeHash(tree.peaks[height], h);
            unchecked {
                ++height; // at most 64 iterations: size is a uint64
            }
        }
        tree.peaks[height] = h;
        tree.size = index + 1;
    }

    /// @notice The RFC 6962 root of the tree (SHA-256 of the empty string for an empty tree).
    function root(Tree storage tree) internal view returns (bytes32 r) {
        uint64 n = tree.size;
        if (n == 0) return sha256("");
        bool started = false;
        // Fold from the smallest peak (rightmost subtree) to the largest.
        for (uint256 height = 0; height < 64; ++height) {
            if ((n >> height) & 1 == 0) continue;
            bytes32 peak = tree.peaks[height];
            r = started ? nodeHash(peak, r) : peak;
            started = true;
        }
    }
}
