// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

import {ICharityLedger} from "../interfaces/ICharityLedger.sol";
import {IVolunteerCredit} from "../interfaces/IVolunteerCredit.sol";

/// @title EventFloor
/// @notice Gas benchmark baseline, not deployed in production: takes the same calldata as the real
/// write functions and emits one event carrying a leaf of the same size (header, streams and
/// payload), with no checks and no storage. The gap between a real write and this floor is what
/// the ledger's guarantees cost.
contract EventFloor {
    event Emitted(uint256 indexed index, bytes leaf);

    /// @dev Header (47 bytes) plus `streams` stream records (40 bytes each), as in ITransparencyLog.
    function _header(uint256 streams) private view returns (bytes memory) {
        return abi.encodePacked(
            uint8(1),
            uint8(0),
            uint64(0),
            uint64(block.timestamp),
            uint64(0),
            msg.sender,
            uint8(streams),
            new bytes(40 * streams)
        );
    }

    function donation(uint64 campaignId, ICharityLedger.DonationInput calldata d) external {
        emit Emitted(0, bytes.concat(_header(2), _donation(campaignId, d)));
    }

    function donations(uint64 campaignId, ICharityLedger.DonationInput[] calldata ds) external {
        for (uint256 i = 0; i < ds.length; ++i) {
            emit Emitted(i, bytes.concat(_header(2), _donation(campaignId, ds[i])));
        }
    }

    function disbursement(uint64 campaignId, ICharityLedger.DisbursementInput calldata d) external {
        emit Emitted(0, bytes.concat(_header(2), _disbursement(campaignId, d)));
    }

    function disbursements(uint64 campaignId, ICharityLedger.DisbursementInput[] calldata ds) external {
        for (uint256 i = 0; i < ds.length; ++i) {
            emit Emitted(i, bytes.concat(_header(2), _disbursement(campaignId, ds[i])));
        }
    }

    function creditIssue(uint64 activityId, IVolunteerCredit.CreditInput calldata c) external {
        emit Emitted(0, bytes.concat(_header(3), _credit(activityId, c)));
    }

    function creditIssues(uint64 activityId, IVolunteerCredit.CreditInput[] calldata cs) external {
        for (uint256 i = 0; i < cs.length; ++i) {
            emit Emitted(i, bytes.concat(_header(3), _credit(activityId, cs[i])));
        }
    }

    function _donation(uint64 campaignId, ICharityLedger.DonationInput calldata d)
        private
        pure
        returns (bytes memory)
    {
        bytes memory head = abi.encodePacked(campaignId, d.externalRef, uint8(d.donorKind), d.donor, bytes3("CNY"));
        return abi.encodePacked(head, d.amount, d.channel, d.purposeTag, d.inKindHash, d.claimId);
    }

    function _disbursement(uint64 campaignId, ICharityLedger.DisbursementInput calldata d)
        private
        pure
        returns (bytes memory)
    {
        bytes memory head = abi.encodePacked(campaignId, d.externalRef, uint8(d.category), bytes3("CNY"), d.amount);
        return abi.encodePacked(
            head, uint8(d.payeeKind), d.payee, d.payeeCampaignId, d.purposeTag, uint8(d.evidence.length), d.evidence
        );
    }

    function _credit(uint64 activityId, IVolunteerCredit.CreditInput calldata c) private pure returns (bytes memory) {
        return abi.encodePacked(activityId, c.externalRef, c.volunteer, c.serviceMinutes, c.points, c.serviceDate);
    }
}
