// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

/// @title Entries
/// @notice The numbers that name entry kinds and stream kinds. They are part of the canonical leaf
/// encoding (see packages/core/src/encoding): never renumber, only add.
library Entries {
    // ---------------------------------------------------------------- leaf header
    /// @dev Version byte that starts every leaf.
    uint8 internal constant LEAF_VERSION = 1;
    /// @dev `prevIndex` of the first entry of a stream: no previous entry.
    uint64 internal constant NO_PREVIOUS = type(uint64).max;

    // ---------------------------------------------------------------- entry kinds
    // Log governance (1-9)
    uint8 internal constant WRITER_SET = 1;
    uint8 internal constant GOVERNANCE_CHANGED = 2;
    // Registry (10-29)
    uint8 internal constant ORG_ACCREDITED = 10;
    uint8 internal constant ORG_SUSPENDED = 11;
    uint8 internal constant ORG_REINSTATED = 12;
    uint8 internal constant OPERATOR_ADDED = 13;
    uint8 internal constant OPERATOR_REVOKED = 14;
    uint8 internal constant ADMIN_TRANSFER_STARTED = 15;
    uint8 internal constant ADMIN_TRANSFER_CANCELLED = 16;
    uint8 internal constant ADMIN_CHANGED = 17;
    // Charity ledger (30-59)
    uint8 internal constant CAMPAIGN_OPENED = 30;
    uint8 internal constant CAMPAIGN_CLOSED = 31;
    uint8 internal constant DISCLOSURE_PUBLISHED = 32;
    uint8 internal constant DONATION_RECORDED = 33;
    uint8 internal constant DISBURSEMENT_RECORDED = 34;
    uint8 internal constant RECORD_REVERSED = 35;
    uint8 internal constant ATTESTATION_RECORDED = 36;
    uint8 internal constant CONTRIBUTION_CLAIMED = 37;
    // Volunteer credit (60-89)
    uint8 internal constant ACTIVITY_REGISTERED = 60;
    uint8 internal constant CREDIT_ISSUED = 61;
    uint8 internal constant CREDIT_REVERSED = 62;
    uint8 internal constant CREDIT_REDEEMED = 63;
    uint8 internal constant CERTIFICATE_ISSUED = 64;
    uint8 internal constant CONSENT_KEY_SET = 65;

    // ---------------------------------------------------------------- stream kinds
    uint8 internal constant STREAM_GOVERNANCE = 0;
    uint8 internal constant STREAM_ORG = 1;
    uint8 internal constant STREAM_CAMPAIGN = 2;
    /// @dev One record (donation, disbursement, credit, ...) and its corrections, keyed by the
    /// recording organisation and its external reference: also what makes a re-import a no-op.
    uint8 internal constant STREAM_RECORD = 3;
    uint8 internal constant STREAM_VOLUNTEER = 4;
    uint8 internal constant STREAM_ACTIVITY = 5;

    /// @notice The id of the stream of `kind` for `key`: keccak256(kind ‖ key).
    function streamId(uint8 kind, bytes32 key) internal pure returns (bytes32 id) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // keccak256(abi.encodePacked(uint8 kind, bytes32 key)) in scratch space, without allocating.
            mstore8(0x00, kind)
            mstore(0x01, key)
            id := keccak256(0x00, 0x21)
        }
    }

    function orgStream(uint64 orgId) internal pure returns (bytes32) {
        return streamId(STREAM_ORG, bytes32(uint256(orgId)));
    }

    function campaignStream(uint64 campaignId) internal pure returns (bytes32) {
        return streamId(STREAM_CAMPAIGN, bytes32(uint256(campaignId)));
    }

    function activityStream(uint64 activityId) internal pure returns (bytes32) {
        return streamId(STREAM_ACTIVITY, bytes32(uint256(activityId)));
    }

    function volunteerStream(bytes32 pseudonym) internal pure returns (bytes32) {
        return streamId(STREAM_VOLUNTEER, pseudonym);
    }

    /// @notice The stream of the record `externalRef` of organisation `orgId`.
    function recordStream(uint64 orgId, bytes32 externalRef) internal pure returns (bytes32) {
        return streamId(STREAM_RECORD, keccak256(abi.encodePacked(orgId, externalRef)));
    }
}
