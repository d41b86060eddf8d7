// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

import {ITransparencyLog} from "../interfaces/ITransparencyLog.sol";

/// @title RawWriter
/// @notice For tests only, never deployed: a writer module that appends whatever it is given, such as
/// an entry of a kind that no reader knows yet (as a newer module would write), once governance has
/// made it a writer of the log.
contract RawWriter {
    function append(
        ITransparencyLog log,
        uint8 kind,
        uint64 actorOrg,
        bytes32[] calldata streams,
        bytes calldata payload
    ) external returns (uint64) {
        return log.append(kind, actorOrg, msg.sender, streams, payload);
    }
}
