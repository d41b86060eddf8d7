// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

import {RecordedAdminRules} from "./base/RecordedAdminRules.sol";
import {ITransparencyLog} from "./interfaces/ITransparencyLog.sol";
import {Entries} from "./libraries/Entries.sol";
import {MerkleLog} from "./libraries/MerkleLog.sol";

/// @title TransparencyLog
/// @notice The append-only Merkle log that every Shanji record is an entry of. It has no upgrade
/// path and no function that removes or rewrites an entry; governance (the default admin, whose
/// transfer goes through a delay) can only change which contracts may append. The log's first
/// entry records its first governance admin; every later governance change is an entry too.
contract TransparencyLog is ITransparencyLog, RecordedAdminRules {
    using MerkleLog for MerkleLog.Tree;

    /// @inheritdoc ITransparencyLog
    uint256 public constant MAX_STREAMS = 4;

    // ---------------------------------------------------------------- storage
    MerkleLog.Tree private _tree;
    mapping(bytes32 streamId => StreamHead) private _heads;
    mapping(address writer => bool) private _writers;

    // ---------------------------------------------------------------- constructor
    /// @param adminDelay seconds that a transfer of the governance admin must wait
    /// @param admin the governance admin (the consortium's multisig or timelock in production)
    constructor(uint48 adminDelay, address admin) RecordedAdminRules(adminDelay, admin) {}

    // ---------------------------------------------------------------- writes
    /// @inheritdoc ITransparencyLog
    function append(uint8 kind, uint64 actorOrg, address operator, bytes32[] calldata streams, bytes calldata payload)
        external
        returns (uint64)
    {
        if (!_writers[msg.sender]) revert LogWriterNotAllowed(msg.sender);
        return _append(kind, actorOrg, operator, streams, payload);
    }

    /// @inheritdoc ITransparencyLog
    function appendBatch(uint8 kind, uint64 actorOrg, address operator, NewEntry[] calldata entries)
        external
        returns (uint64 firstIndex)
    {
        if (!_writers[msg.sender]) revert LogWriterNotAllowed(msg.sender);
        uint256 n = entries.length;
        if (n == 0) revert LogBatchEmpty();
        firstIndex = _tree.size;
        for (uint256 i = 0; i < n; ++i) {
            uint256 free;
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                free := mload(0x40)
            }
            _append(kind, actorOrg, operator, entries[i].streams, entries[i].payload);
            // Nothing allocated for this entry is used after it: hand its memory to the next one, so
            // that a batch's memory (and its cost) stays that of one entry.
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                mstore(0x40, free)
            }
        }
    }

    /// @inheritdoc ITransparencyLog
    function setWriter(address writer, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        // Writers are modules: contracts whose code says what they may append. A key is never one,
        // not even a key whose code is an EIP-7702 delegation (0xef0100 ‖ delegate address).
        bytes memory code = writer.code;
        bool delegated = code.length == 23 && code[0] == 0xef && code[1] == 0x01 && code[2] == 0x00;
        if (code.length == 0 || delegated) revert LogWriterInvalid(writer);
        _writers[writer] = allowed;
        _append(Entries.WRITER_SET, 0, msg.sender, _governanceStream(), abi.encodePacked(writer, allowed));
    }

    // ---------------------------------------------------------------- views
    /// @inheritdoc ITransparencyLog
    function size() external view returns (uint256) {
        return _tree.size;
    }

    /// @inheritdoc ITransparencyLog
    function root() external view returns (bytes32) {
        return _tree.root();
    }

    /// @inheritdoc ITransparencyLog
    function streamHead(bytes32 streamId) external view returns (StreamHead memory) {
        return _heads[streamId];
    }

    /// @inheritdoc ITransparencyLog
    function streamHeads(bytes32[] calldata streamIds)
        external
        view
        returns (StreamHead[] memory heads, uint256 logSize)
    {
        uint256 n = streamIds.length;
        heads = new StreamHead[](n);
        for (uint256 i = 0; i < n; ++i) {
            heads[i] = _heads[streamIds[i]];
        }
        logSize = _tree.size;
    }

    /// @inheritdoc ITransparencyLog
    function isWriter(address writer) external view returns (bool) {
        return _writers[writer];
    }

    // ---------------------------------------------------------------- internal
    function _recordGovernance(uint8 action, bytes32 role, address account, uint64 value) internal override {
        _append(
            Entries.GOVERNANCE_CHANGED,
            0,
            msg.sender,
            _governanceStream(),
            abi.encodePacked(address(this), action, role, account, value)
        );
    }

    function _governanceStream() private pure returns (bytes32[] memory streams) {
        streams = new bytes32[](1);
        streams[0] = Entries.streamId(Entries.STREAM_GOVERNANCE, bytes32(0));
    }

    function _append(
        uint8 kind,
        uint64 actorOrg,
        address operator,
        bytes32[] memory streams,
        bytes memory payload
    ) private returns (uint64 index) {
        uint256 n = streams.length;
        if (n == 0 || n > MAX_STREAMS) revert LogStreamCountInvalid(n);
        index = _tree.size;

        bytes memory leaf = abi.encodePacked(
            Entries.LEAF_VERSION, kind, index, uint64(block.timestamp), actorOrg, operator, uint8(n)
        );
        for (uint256 i = 0; i < n; ++i) {
            bytes32 id = streams[i];
            for (uint256 j = 0; j < i; ++j) {
                if (streams[j] == id) revert LogStreamDuplicated(id);
            }
            StreamHead storage head = _heads[id];
            leaf = abi.encodePacked(leaf, id, head.count == 0 ? Entries.NO_PREVIOUS : head.lastIndex);
        }
        leaf = abi.encodePacked(leaf, payload);

        bytes32 h = MerkleLog.leafHash(leaf);
        _tree.append(h);
        for (uint256 i = 0; i < n; ++i) {
            StreamHead storage head = _heads[streams[i]];
            // A stream cannot outgrow the log, whose size is a uint64.
            head.count = head.count + 1;
            head.lastIndex = index;
            head.lastLeafHash = bytes16(h);
        }
        emit EntryAppended(index, leaf);
    }
}
