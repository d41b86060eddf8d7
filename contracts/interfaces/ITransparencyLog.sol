// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

/// @title ITransparencyLog
/// @notice The single append-only ledger of Shanji: an RFC 6962 Merkle log with SHA-256. Every
/// record that any module writes is one entry here. Each entry also belongs to up to
/// `MAX_STREAMS` streams (an organisation, a campaign, a record, a volunteer ...); the log keeps a
/// head per stream and every entry names the previous entry of each of its streams, so that a
/// stream's history can be proven complete against its head.
///
/// Leaf data (the bytes whose SHA-256(0x00 ‖ leaf) is the Merkle leaf hash), big-endian, packed:
///   u8 version (=1) | u8 kind | u64 index | u64 timestamp | u64 actorOrg | address operator |
///   u8 streamCount | streamCount × (bytes32 streamId | u64 prevIndex) | payload
/// `prevIndex` is 2^64-1 for the first entry of a stream. The payload layout depends on `kind`
/// (see contracts/libraries/Entries.sol and packages/core/src/encoding).
interface ITransparencyLog {
    /// @notice The head of a stream: how many entries it has, the index of the last one and the
    /// first 16 bytes of that entry's leaf hash (so that a module can check a claimed entry).
    struct StreamHead {
        uint64 count;
        uint64 lastIndex;
        bytes16 lastLeafHash;
    }

    /// @notice One entry of a batch (`appendBatch`): its streams and its payload.
    struct NewEntry {
        bytes32[] streams;
        bytes payload;
    }

    // ---------------------------------------------------------------- errors
    /// @notice `caller` is not an allow-listed writer module.
    error LogWriterNotAllowed(address caller);
    /// @notice An entry must belong to 1..MAX_STREAMS streams.
    error LogStreamCountInvalid(uint256 count);
    /// @notice The same stream appears twice in one entry.
    error LogStreamDuplicated(bytes32 streamId);
    /// @notice A writer must be a contract (a module), not a key or the zero address.
    error LogWriterInvalid(address writer);
    /// @notice A batch must hold at least one entry.
    error LogBatchEmpty();

    // ---------------------------------------------------------------- events
    /// @notice One entry was appended; `leaf` is its complete leaf data.
    event EntryAppended(uint256 indexed index, bytes leaf);

    // ---------------------------------------------------------------- writes
    /// @notice Appends one entry. Only allow-listed writer modules may call.
    /// @param kind the entry kind (Entries.sol)
    /// @param actorOrg the organisation on whose behalf the entry is written (0: governance)
    /// @param operator the key that asked the module to write
    /// @param streams the streams the entry belongs to, distinct, 1..MAX_STREAMS
    /// @param payload the kind-specific payload
    /// @return index the entry's index in the log
    function append(uint8 kind, uint64 actorOrg, address operator, bytes32[] calldata streams, bytes calldata payload)
        external
        returns (uint64 index);

    /// @notice Appends `entries` in order, each exactly as `append` would one at a time (the same
    /// leaves, events and stream heads), with the same kind, actor and operator. Only allow-listed
    /// writer modules may call; a batch of none is refused.
    /// @return firstIndex the index of the batch's first entry; the others follow it without a gap
    function appendBatch(uint8 kind, uint64 actorOrg, address operator, NewEntry[] calldata entries)
        external
        returns (uint64 firstIndex);

    /// @notice Allows or disallows a writer module (a contract); recorded as an entry in the
    /// governance stream, as is every change of the governance admin (GOVERNANCE_CHANGED).
    /// Only the governance admin may call. Nothing can remove or change an entry once appended.
    function setWriter(address writer, bool allowed) external;

    // ---------------------------------------------------------------- views
    /// @notice The number of entries in the log.
    function size() external view returns (uint256);

    /// @notice The RFC 6962 root hash of the log.
    function root() external view returns (bytes32);

    /// @notice The head of stream `streamId` (all zero for a stream with no entry).
    function streamHead(bytes32 streamId) external view returns (StreamHead memory);

    /// @notice The heads of `streamIds`, in order, and the log's size: what a module checks before a
    /// batch, read in one call.
    function streamHeads(bytes32[] calldata streamIds)
        external
        view
        returns (StreamHead[] memory heads, uint256 logSize);

    /// @notice Whether `writer` may append.
    function isWriter(address writer) external view returns (bool);

    /// @notice The most streams one entry may belong to.
    function MAX_STREAMS() external view returns (uint256);
}
