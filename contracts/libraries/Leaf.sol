// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

/// @title Leaf
/// @notice Offsets into the canonical leaf data (see ITransparencyLog), for modules that read back
/// an entry they wrote — to reverse it — after checking it against its stream head.
library Leaf {
    /// @dev u8 version | u8 kind | u64 index | u64 timestamp | u64 actorOrg | address operator | u8 n
    uint256 internal constant KIND_OFFSET = 1;
    uint256 internal constant STREAM_COUNT_OFFSET = 46;
    uint256 internal constant HEADER_BYTES = 47;
    /// @dev Each stream: bytes32 id | u64 prevIndex.
    uint256 internal constant STREAM_BYTES = 40;

    // Donation payload: u64 campaignId | bytes32 ref | u8 donorKind | bytes32 donor | bytes3 currency |
    // u128 amount | u8 channel | bytes32 purposeTag | bytes32 inKindHash | u64 claimId
    uint256 internal constant DONATION_AMOUNT = 76;
    uint256 internal constant DONATION_CLAIM = 157;

    // Disbursement payload: u64 campaignId | bytes32 ref | u8 category | bytes3 currency | u128 amount |
    // u8 payeeKind | bytes32 payee | u64 payeeCampaignId | bytes32 purposeTag | u8 n | n × bytes32 evidence
    uint256 internal constant DISBURSEMENT_AMOUNT = 44;
    uint256 internal constant DISBURSEMENT_PAYEE_CAMPAIGN = 93;

    // Credit payload: u64 activityId | bytes32 ref | bytes32 volunteer | u32 minutes | u64 points | u32 serviceDate
    uint256 internal constant CREDIT_VOLUNTEER = 40;
    uint256 internal constant CREDIT_MINUTES = 72;
    uint256 internal constant CREDIT_POINTS = 76;

    /// @notice The payload of a leaf: what follows the header and the stream list.
    function payload(bytes calldata leaf) internal pure returns (bytes calldata) {
        uint256 streamCount = uint8(leaf[STREAM_COUNT_OFFSET]);
        return leaf[HEADER_BYTES + STREAM_BYTES * streamCount:];
    }
}
