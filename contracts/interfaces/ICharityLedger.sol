// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

/// @title ICharityLedger
/// @notice Campaigns (募捐项目), donations, disbursements with evidence, corrections, disclosures,
/// attestations and enterprise contribution claims. Every record is one entry of the
/// transparency log; this module keeps only what its rules need (campaign balances, purpose tags,
/// claims). A campaign's available balance never goes below zero: the module refuses.
///
/// Records that come from an organisation's own books (donations, disbursements, claims) carry an
/// `externalRef` unique per organisation: the record's stream in the log is keyed by it, so a
/// retried import is refused with `CharityRecordExists` instead of recording twice, and a
/// correction can check the record it reverses against the stream head.
///
/// No personal data: donors appear as receipt commitments (SHA-256 of a random receipt secret
/// that only the donor holds) or as registered organisations; external payees as keyed
/// pseudonyms; descriptions and evidence as SHA-256 hashes of off-chain files.
interface ICharityLedger {
    enum CampaignStatus {
        None,
        Open,
        Closed
    }

    enum DonorKind {
        Receipt,
        Organisation
    }

    enum Category {
        None,
        Program, // 项目支出
        Administration, // 管理费用
        Fundraising // 募捐成本
    }

    enum PayeeKind {
        External,
        Organisation
    }

    /// @dev One storage slot.
    struct Campaign {
        uint64 orgId;
        uint128 balance;
        bytes3 currency;
        CampaignStatus status;
    }

    struct OpenCampaignInput {
        bytes3 currency; // ISO 4217, e.g. "CNY"
        uint128 target; // minor units; 0 = no target
        uint64 startTime;
        uint64 endTime; // 0 = open-ended
        bytes32 filingNumber; // 备案编号, ASCII, left-aligned, zero-padded; 0 = none
        bytes32 descriptionHash; // SHA-256 of the published description
        bytes32[] purposeTags; // restricted purposes that earmarked donations may name
    }

    struct DonationInput {
        bytes32 externalRef;
        DonorKind donorKind;
        bytes32 donor; // receipt commitment, or the donor organisation's id
        uint128 amount; // minor units; for in-kind donations, the valuation
        uint8 channel; // 0..CHANNEL_COUNT-1, see packages/core
        bytes32 purposeTag; // 0 = unrestricted; otherwise earmarked (定向) for this purpose
        bytes32 inKindHash; // 0 = money; otherwise SHA-256 of the item description
        uint64 claimId; // 0, or the enterprise contribution claim this donation confirms
    }

    struct DisbursementInput {
        bytes32 externalRef;
        Category category;
        uint128 amount;
        PayeeKind payeeKind;
        bytes32 payee; // keyed pseudonym of an external payee, or the payee organisation's id
        uint64 payeeCampaignId; // for a grant: the payee's campaign that receives it
        bytes32 purposeTag; // the restricted purpose this spending serves, 0 = general
        bytes32[] evidence; // SHA-256 of invoices, contracts, photos; >= 1 for program spending
    }

    struct ClaimInput {
        bytes32 externalRef;
        uint64 recipientOrg;
        bytes3 currency;
        uint128 amount;
        bytes32 evidenceHash;
    }

    /// @dev Two storage slots.
    struct Claim {
        uint64 enterpriseOrg;
        uint64 recipientOrg;
        uint128 amount;
        bytes3 currency;
        bool confirmed;
    }

    // ---------------------------------------------------------------- errors
    error CharityCampaignNotFound(uint64 campaignId);
    /// @notice Campaign `campaignId` belongs to another organisation than `orgId`.
    error CharityCampaignNotOwned(uint64 campaignId, uint64 orgId);
    /// @notice Campaign `campaignId` is closed to donations.
    error CharityCampaignClosed(uint64 campaignId);
    /// @notice `currency` is not three upper-case ASCII letters.
    error CharityCurrencyInvalid(bytes3 currency);
    error CharityCurrencyMismatch(uint64 campaignId, bytes3 expected, bytes3 actual);
    error CharityTimeWindowInvalid(uint64 startTime, uint64 endTime);
    /// @notice A purpose tag is zero, repeated, or one too many (MAX_PURPOSE_TAGS).
    error CharityPurposeTagInvalid(bytes32 tag);
    error CharityPurposeNotInCampaign(uint64 campaignId, bytes32 tag);
    /// @notice The campaign holds `available` and cannot pay out `requested`.
    error CharityBalanceInsufficient(uint64 campaignId, uint256 available, uint256 requested);
    error CharityBatchSizeInvalid(uint256 size, uint256 max);
    error CharityExternalRefInvalid();
    /// @notice This organisation already recorded `externalRef`; `latestIndex` is the record's latest
    /// entry (the record itself, or its reversal).
    error CharityRecordExists(bytes32 externalRef, uint64 latestIndex);
    /// @notice An attestation covers entries up to `index`, but the log has only `size` entries.
    error CharityIndexInvalid(uint64 index, uint256 size);
    error CharityAmountInvalid(bytes32 externalRef);
    error CharityDonorInvalid(bytes32 externalRef);
    error CharityChannelInvalid(bytes32 externalRef, uint8 channel);
    error CharityCategoryInvalid(bytes32 externalRef, uint8 category);
    /// @notice Program spending needs at least one evidence hash.
    error CharityEvidenceRequired(bytes32 externalRef);
    /// @notice An evidence hash is zero, or there are more than MAX_EVIDENCE.
    error CharityEvidenceInvalid(bytes32 externalRef);
    error CharityPayeeInvalid(bytes32 externalRef);
    /// @notice A grant must name an open campaign of the payee, in the same currency, not the paying one.
    error CharityGrantCampaignInvalid(bytes32 externalRef, uint64 payeeCampaignId);
    error CharityRecordNotFound(bytes32 externalRef);
    /// @notice The record was already reversed, by entry `reversalIndex`.
    error CharityRecordAlreadyReversed(bytes32 externalRef, uint64 reversalIndex);
    /// @notice The leaf given is not the record's entry.
    error CharityRecordLeafMismatch(bytes32 externalRef);
    error CharityRecordNotReversible(bytes32 externalRef, uint8 kind);
    error CharityReasonInvalid();
    error CharityDisclosureInvalid(uint8 disclosureKind);
    error CharityHashInvalid();
    error CharityAttestationInvalid(uint8 opinion);
    error CharityClaimNotFound(uint64 claimId);
    /// @notice The donation does not match claim `claimId` (donor, recipient, currency or amount).
    error CharityClaimMismatch(uint64 claimId);
    error CharityClaimAlreadyConfirmed(uint64 claimId);

    // ---------------------------------------------------------------- events
    // None of its own: every record is reported by the transparency log's EntryAppended event.

    // ---------------------------------------------------------------- campaigns
    /// @notice Opens a campaign of the caller's organisation (a charity).
    function openCampaign(OpenCampaignInput calldata input) external returns (uint64 campaignId);

    /// @notice Closes a campaign to donations; spending its balance stays possible. The time window
    /// given at opening is information for disclosure rules: donations recorded after `endTime`
    /// (imports often lag) are accepted until the campaign is closed.
    function closeCampaign(uint64 campaignId) external;

    /// @notice Records a published report: progress or final disclosure of a campaign, or, with
    /// `campaignId` 0, a report of the organisation (annual report, asset change ...).
    function publishDisclosure(
        uint64 campaignId,
        uint8 disclosureKind,
        bytes32 reportHash,
        uint64 periodStart,
        uint64 periodEnd
    ) external;

    // ---------------------------------------------------------------- money in and out
    function recordDonation(uint64 campaignId, DonationInput calldata donation) external returns (uint64 index);

    /// @notice Records up to MAX_BATCH (200) donations to one campaign; one bad donation reverts all.
    function recordDonations(uint64 campaignId, DonationInput[] calldata donations) external;

    /// @notice Pays out of a campaign. A payee organisation receives it as a grant to its campaign.
    function recordDisbursement(uint64 campaignId, DisbursementInput calldata disbursement)
        external
        returns (uint64 index);

    /// @notice Records up to MAX_BATCH (200) disbursements from one campaign; one bad record reverts all.
    function recordDisbursements(uint64 campaignId, DisbursementInput[] calldata disbursements) external;

    /// @notice Reverses the caller's organisation's record `externalRef` (a donation or a
    /// disbursement); balances follow. `leaf` is the record's leaf data, checked against its stream.
    function reverseRecord(bytes32 externalRef, uint16 reason, bytes calldata leaf) external returns (uint64 index);

    // ---------------------------------------------------------------- attestations and claims
    /// @notice An auditor or regulator attests a report about organisation `subjectOrg` (and
    /// campaign `campaignId`, or 0) that covers the ledger up to entry `coversToIndex`.
    function attest(uint64 subjectOrg, uint64 campaignId, uint8 opinion, bytes32 reportHash, uint64 coversToIndex)
        external;

    /// @notice An enterprise publishes a contribution it made to a registered organisation; the
    /// claim is confirmed when the recipient records a donation that names it.
    function claimContribution(ClaimInput calldata claim) external returns (uint64 claimId);

    // ---------------------------------------------------------------- views
    function campaign(uint64 campaignId) external view returns (Campaign memory);

    function campaignCount() external view returns (uint64);

    function hasPurpose(uint64 campaignId, bytes32 tag) external view returns (bool);

    function claim(uint64 claimId) external view returns (Claim memory);

    function MAX_BATCH() external view returns (uint256);
}
