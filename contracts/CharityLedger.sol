// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

import {ICharityLedger} from "./interfaces/ICharityLedger.sol";
import {IRegistry} from "./interfaces/IRegistry.sol";
import {ITransparencyLog} from "./interfaces/ITransparencyLog.sol";
import {Entries} from "./libraries/Entries.sol";
import {Leaf} from "./libraries/Leaf.sol";
import {MerkleLog} from "./libraries/MerkleLog.sol";
import {RecordBatch} from "./libraries/RecordBatch.sol";

/// @title CharityLedger
/// @notice Campaigns, donations, disbursements, corrections, disclosures, attestations and
/// enterprise contribution claims. See ICharityLedger.
contract CharityLedger is ICharityLedger {
    /// @inheritdoc ICharityLedger
    /// @dev 200 records of the costliest kind (grants with 16 evidence hashes) stay well under the
    /// 16,777,216 gas that one transaction may use since Osaka (EIP-7825).
    uint256 public constant MAX_BATCH = 200;
    uint256 public constant MAX_PURPOSE_TAGS = 16;
    uint256 public constant MAX_EVIDENCE = 16;
    /// @dev Donation channels are numbered 0..CHANNEL_COUNT-1 (packages/core names them).
    uint8 public constant CHANNEL_COUNT = 8;
    /// @dev Disclosure kinds are 1..DISCLOSURE_KIND_COUNT (packages/core names them).
    uint8 public constant DISCLOSURE_KIND_COUNT = 8;
    /// @dev Attestation opinions are 1..OPINION_COUNT: unqualified, qualified, adverse, disclaimer.
    uint8 public constant OPINION_COUNT = 4;

    // Bit masks of IRegistry.OrgKind values allowed to call.
    uint256 private constant _CHARITY = 1 << uint8(IRegistry.OrgKind.Charity);
    uint256 private constant _ENTERPRISE = 1 << uint8(IRegistry.OrgKind.Enterprise);
    uint256 private constant _ATTESTERS =
        (1 << uint8(IRegistry.OrgKind.Auditor)) | (1 << uint8(IRegistry.OrgKind.Regulator));

    IRegistry private immutable _registry;
    ITransparencyLog private immutable _log;

    // ---------------------------------------------------------------- storage
    uint64 private _campaignCount;
    uint64 private _claimCount;
    mapping(uint64 campaignId => Campaign) private _campaigns;
    mapping(bytes32 campaignAndTag => bool) private _purposes;
    mapping(uint64 claimId => Claim) private _claims;

    // ---------------------------------------------------------------- constructor
    constructor(IRegistry registry, ITransparencyLog log) {
        _registry = registry;
        _log = log;
    }

    // ---------------------------------------------------------------- campaigns
    /// @inheritdoc ICharityLedger
    function openCampaign(OpenCampaignInput calldata input) external returns (uint64 campaignId) {
        (uint64 orgId,) = _registry.requireOperator(msg.sender, _CHARITY);
        _requireCurrency(input.currency);
        if (input.endTime != 0 && input.endTime <= input.startTime) {
            revert CharityTimeWindowInvalid(input.startTime, input.endTime);
        }
        uint256 tagCount = input.purposeTags.length;
        if (tagCount > MAX_PURPOSE_TAGS) revert CharityPurposeTagInvalid(input.purposeTags[MAX_PURPOSE_TAGS]);

        campaignId = ++_campaignCount;
        _campaigns[campaignId] =
            Campaign({orgId: orgId, balance: 0, currency: input.currency, status: CampaignStatus.Open});
        for (uint256 i = 0; i < tagCount; ++i) {
            bytes32 tag = input.purposeTags[i];
            bytes32 key = _purposeKey(campaignId, tag);
            if (tag == 0 || _purposes[key]) revert CharityPurposeTagInvalid(tag);
            _purposes[key] = true;
        }

        bytes memory payload = abi.encodePacked(
            campaignId,
            input.currency,
            input.target,
            input.startTime,
            input.endTime,
            input.filingNumber,
            input.descriptionHash,
            uint8(tagCount),
            input.purposeTags
        );
        _append2(Entries.CAMPAIGN_OPENED, orgId, Entries.campaignStream(campaignId), Entries.orgStream(orgId), payload);
    }

    /// @inheritdoc ICharityLedger
    function closeCampaign(uint64 campaignId) external {
        (uint64 orgId,) = _registry.requireOperator(msg.sender, _CHARITY);
        Campaign storage c = _owned(campaignId, orgId);
        if (c.status != CampaignStatus.Open) revert CharityCampaignClosed(campaignId);
        c.status = CampaignStatus.Closed;
        _append2(
            Entries.CAMPAIGN_CLOSED,
            orgId,
            Entries.campaignStream(campaignId),
            Entries.orgStream(orgId),
            abi.encodePacked(campaignId, c.balance)
        );
    }

    /// @inheritdoc ICharityLedger
    function publishDisclosure(
        uint64 campaignId,
        uint8 disclosureKind,
        bytes32 reportHash,
        uint64 periodStart,
        uint64 periodEnd
    ) external {
        (uint64 orgId,) = _registry.requireOperator(msg.sender, _CHARITY);
        if (disclosureKind == 0 || disclosureKind > DISCLOSURE_KIND_COUNT) {
            revert CharityDisclosureInvalid(disclosureKind);
        }
        if (reportHash == 0) revert CharityHashInvalid();
        if (periodEnd < periodStart) revert CharityTimeWindowInvalid(periodStart, periodEnd);
        bytes memory payload = abi.encodePacked(campaignId, disclosureKind, reportHash, periodStart, periodEnd);
        if (campaignId == 0) {
            _append1(Entries.DISCLOSURE_PUBLISHED, orgId, Entries.orgStream(orgId), payload);
        } else {
            _owned(campaignId, orgId);
            _append2(
                Entries.DISCLOSURE_PUBLISHED,
                orgId,
                Entries.campaignStream(campaignId),
                Entries.orgStream(orgId),
                payload
            );
        }
    }

    // ---------------------------------------------------------------- money in and out
    /// @inheritdoc ICharityLedger
    function recordDonation(uint64 campaignId, DonationInput calldata donation) external returns (uint64 index) {
        (uint64 orgId,) = _registry.requireOperator(msg.sender, _CHARITY);
        Campaign memory c = _openCampaign(campaignId, orgId);
        bytes32 recordStream = _newRecordStream(orgId, donation.externalRef);
        ITransparencyLog.NewEntry memory e = _donationEntry(campaignId, c, orgId, donation, recordStream);
        index = _log.append(Entries.DONATION_RECORDED, orgId, msg.sender, e.streams, e.payload);
        _campaigns[campaignId].balance = c.balance;
    }

    /// @inheritdoc ICharityLedger
    function recordDonations(uint64 campaignId, DonationInput[] calldata donations) external {
        (uint64 orgId,) = _registry.requireOperator(msg.sender, _CHARITY);
        uint256 n = donations.length;
        if (n == 0 || n > MAX_BATCH) revert CharityBatchSizeInvalid(n, MAX_BATCH);
        Campaign memory c = _openCampaign(campaignId, orgId);
        bytes32[] memory refs = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            refs[i] = donations[i].externalRef;
        }
        // One call for the batch's heads and one for its entries, not two per row: calls between
        // contracts are most of what a row would cost otherwise. The rows are checked in order, as
        // if each were appended before the next is checked.
        RecordBatch.Claims memory claims = RecordBatch.open(_log, orgId, refs);
        ITransparencyLog.NewEntry[] memory entries = new ITransparencyLog.NewEntry[](n);
        for (uint256 i = 0; i < n; ++i) {
            _claimInBatch(claims, refs[i], i);
            entries[i] = _donationEntry(campaignId, c, orgId, donations[i], claims.streams[i]);
        }
        _log.appendBatch(Entries.DONATION_RECORDED, orgId, msg.sender, entries);
        _campaigns[campaignId].balance = c.balance;
    }

    /// @inheritdoc ICharityLedger
    function recordDisbursement(uint64 campaignId, DisbursementInput calldata disbursement)
        external
        returns (uint64)
    {
        (uint64 orgId,) = _registry.requireOperator(msg.sender, _CHARITY);
        Campaign storage c = _owned(campaignId, orgId);
        bytes32 recordStream = _newRecordStream(orgId, disbursement.externalRef);
        ITransparencyLog.NewEntry memory e = _disbursementEntry(campaignId, c, disbursement, recordStream);
        return _log.append(Entries.DISBURSEMENT_RECORDED, orgId, msg.sender, e.streams, e.payload);
    }

    /// @inheritdoc ICharityLedger
    function recordDisbursements(uint64 campaignId, DisbursementInput[] calldata disbursements) external {
        (uint64 orgId,) = _registry.requireOperator(msg.sender, _CHARITY);
        uint256 n = disbursements.length;
        if (n == 0 || n > MAX_BATCH) revert CharityBatchSizeInvalid(n, MAX_BATCH);
        Campaign storage c = _owned(campaignId, orgId);
        bytes32[] memory refs = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            refs[i] = disbursements[i].externalRef;
        }
        // As recordDonations: two calls into the log for the batch.
        RecordBatch.Claims memory claims = RecordBatch.open(_log, orgId, refs);
        ITransparencyLog.NewEntry[] memory entries = new ITransparencyLog.NewEntry[](n);
        for (uint256 i = 0; i < n; ++i) {
            _claimInBatch(claims, refs[i], i);
            entries[i] = _disbursementEntry(campaignId, c, disbursements[i], claims.streams[i]);
        }
        _log.appendBatch(Entries.DISBURSEMENT_RECORDED, orgId, msg.sender, entries);
    }

    /// @inheritdoc ICharityLedger
    function reverseRecord(bytes32 externalRef, uint16 reason, bytes calldata leaf) external returns (uint64) {
        (uint64 orgId,) = _registry.requireOperator(msg.sender, _CHARITY);
        if (reason == 0) revert CharityReasonInvalid();
        bytes32 recordStream = Entries.recordStream(orgId, externalRef);
        uint64 target = _checkRecordLeaf(recordStream, externalRef, leaf);
        uint8 kind = uint8(leaf[Leaf.KIND_OFFSET]);
        if (kind == Entries.DONATION_RECORDED) return _reverseDonation(orgId, recordStream, target, reason, leaf);
        if (kind == Entries.DISBURSEMENT_RECORDED) {
            return _reverseDisbursement(orgId, recordStream, target, reason, leaf);
        }
        revert CharityRecordNotReversible(externalRef, kind);
    }

    // ---------------------------------------------------------------- attestations and claims
    /// @inheritdoc ICharityLedger
    function attest(uint64 subjectOrg, uint64 campaignId, uint8 opinion, bytes32 reportHash, uint64 coversToIndex)
        external
    {
        (uint64 orgId,) = _registry.requireOperator(msg.sender, _ATTESTERS);
        if (opinion == 0 || opinion > OPINION_COUNT) revert CharityAttestationInvalid(opinion);
        if (reportHash == 0) revert CharityHashInvalid();
        uint256 logSize = _log.size();
        if (coversToIndex >= logSize) revert CharityIndexInvalid(coversToIndex, logSize);
        if (_registry.org(subjectOrg).status == IRegistry.OrgStatus.None) {
            revert IRegistry.RegistryOrgNotFound(subjectOrg);
        }
        if (campaignId != 0) _owned(campaignId, subjectOrg);
        bytes memory payload = abi.encodePacked(subjectOrg, campaignId, opinion, reportHash, coversToIndex);
        // The attester's stream, the subject's (unless a regulator attests itself), the campaign's.
        bytes32[] memory streams = new bytes32[](3);
        uint256 n = 0;
        streams[n++] = Entries.orgStream(orgId);
        if (subjectOrg != orgId) streams[n++] = Entries.orgStream(subjectOrg);
        if (campaignId != 0) streams[n++] = Entries.campaignStream(campaignId);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(streams, n) // shrink the array to the streams actually used
        }
        _log.append(Entries.ATTESTATION_RECORDED, orgId, msg.sender, streams, payload);
    }

    /// @inheritdoc ICharityLedger
    function claimContribution(ClaimInput calldata input) external returns (uint64 claimId) {
        (uint64 orgId,) = _registry.requireOperator(msg.sender, _ENTERPRISE);
        bytes32 recordStream = _newRecordStream(orgId, input.externalRef);
        _requireCurrency(input.currency);
        if (input.amount == 0) revert CharityAmountInvalid(input.externalRef);
        if (input.recipientOrg == orgId || _registry.org(input.recipientOrg).status == IRegistry.OrgStatus.None) {
            revert CharityPayeeInvalid(input.externalRef);
        }
        claimId = ++_claimCount;
        _claims[claimId] = Claim({
            enterpriseOrg: orgId,
            recipientOrg: input.recipientOrg,
            amount: input.amount,
            currency: input.currency,
            confirmed: false
        });
        _append3(
            Entries.CONTRIBUTION_CLAIMED,
            orgId,
            Entries.orgStream(orgId),
            recordStream,
            Entries.orgStream(input.recipientOrg),
            abi.encodePacked(
                claimId, input.externalRef, input.recipientOrg, input.currency, input.amount, input.evidenceHash
            )
        );
    }

    // ---------------------------------------------------------------- views
    /// @inheritdoc ICharityLedger
    function campaign(uint64 campaignId) external view returns (Campaign memory) {
        return _campaigns[campaignId];
    }

    /// @inheritdoc ICharityLedger
    function campaignCount() external view returns (uint64) {
        return _campaignCount;
    }

    /// @inheritdoc ICharityLedger
    function hasPurpose(uint64 campaignId, bytes32 tag) external view returns (bool) {
        return _purposes[_purposeKey(campaignId, tag)];
    }

    /// @inheritdoc ICharityLedger
    function claim(uint64 claimId) external view returns (Claim memory) {
        return _claims[claimId];
    }

    // ---------------------------------------------------------------- internal
    /// @dev Checks one donation to campaign `c` (whose balance it adds to) and returns its entry;
    /// its record stream `recordStream` has been checked to be new.
    function _donationEntry(
        uint64 campaignId,
        Campaign memory c,
        uint64 orgId,
        DonationInput calldata d,
        bytes32 recordStream
    ) private returns (ITransparencyLog.NewEntry memory e) {
        bytes32 ref = d.externalRef;
        if (d.amount == 0) revert CharityAmountInvalid(ref);
        if (d.channel >= CHANNEL_COUNT) revert CharityChannelInvalid(ref, d.channel);
        if (d.purposeTag != 0 && !_purposes[_purposeKey(campaignId, d.purposeTag)]) {
            revert CharityPurposeNotInCampaign(campaignId, d.purposeTag);
        }
        c.balance += d.amount;
        e.payload = _donationPayload(campaignId, c.currency, d);
        if (d.donorKind == DonorKind.Receipt) {
            if (d.donor == 0 || d.claimId != 0) revert CharityDonorInvalid(ref);
            e.streams = new bytes32[](2);
        } else {
            uint64 donorOrg = _donorOrg(d, orgId, c);
            e.streams = new bytes32[](3);
            e.streams[2] = Entries.orgStream(donorOrg);
        }
        e.streams[0] = Entries.campaignStream(campaignId);
        e.streams[1] = recordStream;
    }

    function _donationPayload(uint64 campaignId, bytes3 currency, DonationInput calldata d)
        private
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(
            campaignId,
            d.externalRef,
            uint8(d.donorKind),
            d.donor,
            currency,
            d.amount,
            d.channel,
            d.purposeTag,
            d.inKindHash,
            d.claimId
        );
    }

    /// @dev Checks one disbursement from campaign `c` (which it debits), credits a grant's payee
    /// campaign, and returns its entry; its record stream `recordStream` has been checked to be new.
    function _disbursementEntry(
        uint64 campaignId,
        Campaign storage c,
        DisbursementInput calldata d,
        bytes32 recordStream
    ) private returns (ITransparencyLog.NewEntry memory e) {
        bytes32 ref = d.externalRef;
        if (d.category == Category.None) revert CharityCategoryInvalid(ref, uint8(d.category));
        if (d.amount == 0) revert CharityAmountInvalid(ref);
        uint256 evidenceCount = d.evidence.length;
        if (d.category == Category.Program && evidenceCount == 0) revert CharityEvidenceRequired(ref);
        if (evidenceCount > MAX_EVIDENCE) revert CharityEvidenceInvalid(ref);
        for (uint256 i = 0; i < evidenceCount; ++i) {
            if (d.evidence[i] == 0) revert CharityEvidenceInvalid(ref);
        }
        if (d.purposeTag != 0 && !_purposes[_purposeKey(campaignId, d.purposeTag)]) {
            revert CharityPurposeNotInCampaign(campaignId, d.purposeTag);
        }
        uint128 balance = c.balance;
        if (d.amount > balance) revert CharityBalanceInsufficient(campaignId, balance, d.amount);
        c.balance = balance - d.amount;

        e.payload = _disbursementPayload(campaignId, c.currency, d);
        if (d.payeeKind == PayeeKind.External) {
            if (d.payee == 0 || d.payeeCampaignId != 0) revert CharityPayeeInvalid(ref);
            e.streams = new bytes32[](2);
        } else {
            _creditGrant(campaignId, c.currency, d);
            e.streams = new bytes32[](3);
            e.streams[2] = Entries.campaignStream(d.payeeCampaignId);
        }
        e.streams[0] = Entries.campaignStream(campaignId);
        e.streams[1] = recordStream;
    }

    function _disbursementPayload(uint64 campaignId, bytes3 currency, DisbursementInput calldata d)
        private
        pure
        returns (bytes memory)
    {
        bytes memory head = abi.encodePacked(campaignId, d.externalRef, uint8(d.category), currency, d.amount);
        return abi.encodePacked(
            head, uint8(d.payeeKind), d.payee, d.payeeCampaignId, d.purposeTag, uint8(d.evidence.length), d.evidence
        );
    }

    /// @dev Checks an organisation donor, and the claim the donation confirms if it names one.
    function _donorOrg(DonationInput calldata d, uint64 orgId, Campaign memory c) private returns (uint64 donorOrg) {
        if (uint256(d.donor) == 0 || uint256(d.donor) > type(uint64).max || uint64(uint256(d.donor)) == orgId) {
            revert CharityDonorInvalid(d.externalRef);
        }
        donorOrg = uint64(uint256(d.donor));
        if (_registry.org(donorOrg).status == IRegistry.OrgStatus.None) revert CharityDonorInvalid(d.externalRef);
        if (d.claimId == 0) return donorOrg;
        Claim storage cl = _claims[d.claimId];
        if (cl.enterpriseOrg == 0) revert CharityClaimNotFound(d.claimId);
        if (cl.confirmed) revert CharityClaimAlreadyConfirmed(d.claimId);
        if (
            cl.enterpriseOrg != donorOrg || cl.recipientOrg != orgId || cl.amount != d.amount
                || cl.currency != c.currency
        ) revert CharityClaimMismatch(d.claimId);
        cl.confirmed = true;
    }

    /// @dev Checks that a grant's receiving campaign is open, another campaign, in the same currency,
    /// and belongs to the named payee organisation; then credits it.
    function _creditGrant(uint64 campaignId, bytes3 currency, DisbursementInput calldata d) private {
        uint64 target = d.payeeCampaignId;
        Campaign storage payee = _campaigns[target];
        if (
            target == campaignId || payee.status != CampaignStatus.Open || payee.currency != currency
                || bytes32(uint256(payee.orgId)) != d.payee
        ) revert CharityGrantCampaignInvalid(d.externalRef, target);
        // The payee organisation must be able to receive: accredited and not suspended.
        IRegistry.Org memory o = _registry.org(payee.orgId);
        if (o.status != IRegistry.OrgStatus.Active) revert CharityPayeeInvalid(d.externalRef);
        payee.balance += d.amount;
    }

    function _reverseDonation(uint64 orgId, bytes32 recordStream, uint64 target, uint16 reason, bytes calldata leaf)
        private
        returns (uint64)
    {
        bytes calldata p = Leaf.payload(leaf);
        uint64 campaignId = uint64(bytes8(p[0:8]));
        uint128 amount = uint128(bytes16(p[Leaf.DONATION_AMOUNT:Leaf.DONATION_AMOUNT + 16]));
        _debit(campaignId, _campaigns[campaignId], amount);
        uint64 claimId = uint64(bytes8(p[Leaf.DONATION_CLAIM:Leaf.DONATION_CLAIM + 8]));
        if (claimId != 0) _claims[claimId].confirmed = false;
        return _append2(
            Entries.RECORD_REVERSED,
            orgId,
            Entries.campaignStream(campaignId),
            recordStream,
            abi.encodePacked(target, Entries.DONATION_RECORDED, reason, campaignId, amount, uint64(0))
        );
    }

    function _reverseDisbursement(
        uint64 orgId,
        bytes32 recordStream,
        uint64 target,
        uint16 reason,
        bytes calldata leaf
    ) private returns (uint64) {
        bytes calldata p = Leaf.payload(leaf);
        uint64 campaignId = uint64(bytes8(p[0:8]));
        uint128 paid = uint128(bytes16(p[Leaf.DISBURSEMENT_AMOUNT:Leaf.DISBURSEMENT_AMOUNT + 16]));
        uint64 payeeCampaignId =
            uint64(bytes8(p[Leaf.DISBURSEMENT_PAYEE_CAMPAIGN:Leaf.DISBURSEMENT_PAYEE_CAMPAIGN + 8]));
        _campaigns[campaignId].balance += paid;
        bytes memory payload =
            abi.encodePacked(target, Entries.DISBURSEMENT_RECORDED, reason, campaignId, paid, payeeCampaignId);
        if (payeeCampaignId == 0) {
            return _append2(Entries.RECORD_REVERSED, orgId, Entries.campaignStream(campaignId), recordStream, payload);
        }
        // A reversed grant comes back out of the payee's campaign, which must still hold it.
        _debit(payeeCampaignId, _campaigns[payeeCampaignId], paid);
        return _append3(
            Entries.RECORD_REVERSED,
            orgId,
            Entries.campaignStream(campaignId),
            recordStream,
            Entries.campaignStream(payeeCampaignId),
            payload
        );
    }

    function _debit(uint64 campaignId, Campaign storage c, uint128 amount) private {
        uint128 balance = c.balance;
        if (amount > balance) revert CharityBalanceInsufficient(campaignId, balance, amount);
        c.balance = balance - amount;
    }

    /// @dev The stream of a new record; reverts if the organisation already used `ref`.
    function _newRecordStream(uint64 orgId, bytes32 ref) private view returns (bytes32 stream) {
        if (ref == 0) revert CharityExternalRefInvalid();
        stream = Entries.recordStream(orgId, ref);
        ITransparencyLog.StreamHead memory head = _log.streamHead(stream);
        if (head.count != 0) revert CharityRecordExists(ref, head.lastIndex);
    }

    /// @dev `_newRecordStream` for row `i` of a batch: refuses a reference that the log or an
    /// earlier row of the batch has, naming the entry that holds it.
    function _claimInBatch(RecordBatch.Claims memory claims, bytes32 ref, uint256 i) private pure {
        if (ref == 0) revert CharityExternalRefInvalid();
        (bool taken, uint64 index) = RecordBatch.claim(claims, i);
        if (taken) revert CharityRecordExists(ref, index);
    }

    /// @dev Checks that `leaf` is the one entry of record stream `stream`; returns its index.
    function _checkRecordLeaf(bytes32 stream, bytes32 ref, bytes calldata leaf) private view returns (uint64) {
        ITransparencyLog.StreamHead memory head = _log.streamHead(stream);
        if (head.count == 0) revert CharityRecordNotFound(ref);
        if (head.count > 1) revert CharityRecordAlreadyReversed(ref, head.lastIndex);
        if (bytes16(MerkleLog.leafHash(leaf)) != head.lastLeafHash) revert CharityRecordLeafMismatch(ref);
        return head.lastIndex;
    }

    function _owned(uint64 campaignId, uint64 orgId) private view returns (Campaign storage c) {
        c = _campaigns[campaignId];
        if (c.status == CampaignStatus.None) revert CharityCampaignNotFound(campaignId);
        if (c.orgId != orgId) revert CharityCampaignNotOwned(campaignId, orgId);
    }

    function _openCampaign(uint64 campaignId, uint64 orgId) private view returns (Campaign memory c) {
        c = _owned(campaignId, orgId);
        if (c.status != CampaignStatus.Open) revert CharityCampaignClosed(campaignId);
    }

    function _requireCurrency(bytes3 currency) private pure {
        for (uint256 i = 0; i < 3; ++i) {
            bytes1 ch = currency[i];
            if (ch < "A" || ch > "Z") revert CharityCurrencyInvalid(currency);
        }
    }

    function _purposeKey(uint64 campaignId, bytes32 tag) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(campaignId, tag));
    }

    function _append1(uint8 kind, uint64 orgId, bytes32 s0, bytes memory payload) private returns (uint64) {
        bytes32[] memory streams = new bytes32[](1);
        streams[0] = s0;
        return _log.append(kind, orgId, msg.sender, streams, payload);
    }

    function _append3(uint8 kind, uint64 orgId, bytes32 s0, bytes32 s1, bytes32 s2, bytes memory payload)
        private
        returns (uint64)
    {
        bytes32[] memory streams = new bytes32[](3);
        streams[0] = s0;
        streams[1] = s1;
        streams[2] = s2;
        return _log.append(kind, orgId, msg.sender, streams, payload);
    }

    function _append2(uint8 kind, uint64 orgId, bytes32 s0, bytes32 s1, bytes memory payload)
        private
        returns (uint64)
    {
        bytes32[] memory streams = new bytes32[](2);
        streams[0] = s0;
        streams[1] = s1;
        return _log.append(kind, orgId, msg.sender, streams, payload);
    }
}
