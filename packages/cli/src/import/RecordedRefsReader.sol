// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

import {ITransparencyLog} from "contracts/interfaces/ITransparencyLog.sol";
import {Entries} from "contracts/libraries/Entries.sol";

/// @title RecordedRefsReader
/// @notice Never deployed: its creation code is run as an eth_call without `to` ("deployless"), so
/// that one call answers for thousands of rows which of an organisation's external references are
/// on the ledger, where one eth_call per row costs the node far more than the reads themselves.
/// The bytecode is kept in recordedRefs.ts; recordedRefs.test.ts recompiles this file and checks
/// that the two agree.
contract RecordedRefsReader {
    /// @dev Returns 1 + refs.length bytes: a leading 0x00 (code returned by a creation may not start
    /// with 0xEF, EIP-3541), then per ref 0x01 when its record stream has an entry, else 0x00.
    constructor(ITransparencyLog log, uint64 orgId, bytes32[] memory refs) {
        bytes memory recorded = new bytes(refs.length + 1);
        for (uint256 i = 0; i < refs.length; ++i) {
            if (log.streamHead(Entries.recordStream(orgId, refs[i])).count > 0) recorded[i + 1] = 0x01;
        }
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // The answer is the "deployed code": return the bytes themselves, not their ABI encoding.
            return(add(recorded, 32), mload(recorded))
        }
    }
}
