// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

/// @title IVolunteerCredit
/// @notice Volunteer service credit (志愿服务记录): activities, credit issued to volunteers (minutes
/// of service and points), corrections, redemptions of points at registered merchants, and
/// certificates (志愿服务证明) recorded as hashes. Credit cannot be transferred and a balance never
/// goes negative.
///
/// Volunteers appear only as keyed pseudonyms (HMAC of their identity under a key that the
/// issuing organisation or the regulator holds), never as names, ID or phone numbers.
///
/// Consent to a redemption is an EIP-712 signature by the volunteer's consent key: a key in the
/// volunteer's own wallet (e.g. a phone app), bound to the pseudonym once by a volunteer
/// organisation and rotated only by a signature of the current key. We chose signatures over
/// one-time codes committed at issuance because a code must be stored per issuance (a second
/// storage write on every credit), runs out, and is as easy to phish as it is to read out;
/// a signature names the merchant, the points and a deadline, so a merchant cannot redeem more
/// than the volunteer agreed to, and it costs nothing until a redemption happens.
interface IVolunteerCredit {
    /// @dev One storage slot.
    struct Account {
        uint64 points;
        uint32 nonce; // redemptions and key rotations signed so far
        address consentKey;
    }

    struct CreditInput {
        bytes32 externalRef;
        bytes32 volunteer; // keyed pseudonym
        uint32 serviceMinutes; // actual service time
        uint64 points;
        uint32 serviceDate; // YYYYMMDD, a real calendar date
    }

    struct RedeemInput {
        bytes32 volunteer;
        uint64 points;
        bytes32 externalRef;
        bytes32 serviceHash; // SHA-256 of the merchant's description of the service
        uint64 deadline; // the signature's expiry, unix seconds
    }

    // ---------------------------------------------------------------- errors
    error CreditActivityNotFound(uint64 activityId);
    error CreditActivityNotOwned(uint64 activityId, uint64 orgId);
    error CreditTimeWindowInvalid(uint64 startTime, uint64 endTime);
    error CreditHashInvalid();
    error CreditBatchSizeInvalid(uint256 size, uint256 max);
    error CreditExternalRefInvalid();
    /// @notice This organisation already recorded `externalRef`; `latestIndex` is the record's latest
    /// entry (the record itself, or its reversal).
    error CreditRecordExists(bytes32 externalRef, uint64 latestIndex);
    error CreditVolunteerInvalid(bytes32 externalRef);
    /// @notice A credit needs minutes or points, and a plausible service date (YYYYMMDD).
    error CreditAmountInvalid(bytes32 externalRef);
    error CreditDateInvalid(bytes32 externalRef, uint32 serviceDate);
    /// @notice The volunteer has `available` points and cannot give up `requested`.
    error CreditBalanceInsufficient(bytes32 volunteer, uint256 available, uint256 requested);
    error CreditRecordNotFound(bytes32 externalRef);
    error CreditRecordAlreadyReversed(bytes32 externalRef, uint64 reversalIndex);
    error CreditRecordLeafMismatch(bytes32 externalRef);
    error CreditRecordNotReversible(bytes32 externalRef, uint8 kind);
    error CreditReasonInvalid();
    /// @notice The volunteer already has consent key `current`.
    error CreditConsentKeySet(bytes32 volunteer, address current);
    error CreditConsentKeyMissing(bytes32 volunteer);
    /// @notice Organisation `orgId` shows no credit of its own to `volunteer`.
    error CreditConsentNotIssuer(bytes32 volunteer, uint64 orgId);
    error CreditConsentKeyInvalid();
    /// @notice The signature is not the volunteer's consent key's.
    error CreditConsentInvalid(bytes32 volunteer);
    error CreditConsentExpired(uint64 deadline);

    // ---------------------------------------------------------------- writes
    /// @notice Registers a volunteer activity of the caller's organisation.
    function registerActivity(bytes32 descriptionHash, uint64 startTime, uint64 endTime)
        external
        returns (uint64 activityId);

    function issueCredit(uint64 activityId, CreditInput calldata credit) external returns (uint64 index);

    /// @notice Issues up to MAX_BATCH (150) credits for one activity; one bad credit reverts all.
    function issueCredits(uint64 activityId, CreditInput[] calldata credits) external;

    /// @notice Reverses the caller's organisation's credit `externalRef`; `leaf` is its entry's
    /// leaf data. Refused if the volunteer has already spent the points.
    function reverseCredit(bytes32 externalRef, uint16 reason, bytes calldata leaf) external returns (uint64 index);

    /// @notice Binds a consent key to a volunteer who has none yet. Only an organisation that has
    /// credited the volunteer may (it knows who they are): it names one of its unreversed credits
    /// to them (`creditRef`) and gives that credit's leaf data.
    function setConsentKey(bytes32 volunteer, address key, bytes32 creditRef, bytes calldata creditLeaf) external;

    /// @notice Replaces the consent key, signed by the current key (EIP-712 RotateKey).
    function rotateConsentKey(bytes32 volunteer, address newKey, uint64 deadline, bytes calldata signature) external;

    /// @notice A merchant redeems points with the volunteer's EIP-712 Redeem signature.
    function redeem(RedeemInput calldata input, bytes calldata signature) external returns (uint64 index);

    /// @notice Records the hash of a certificate (志愿服务证明) issued to a volunteer.
    function issueCertificate(bytes32 volunteer, bytes32 certificateHash, uint64 minutesCovered)
        external
        returns (uint64 index);

    // ---------------------------------------------------------------- views
    function account(bytes32 volunteer) external view returns (Account memory);

    /// @notice The organisation that registered activity `activityId` (0 if none).
    function activityOrg(uint64 activityId) external view returns (uint64);

    function activityCount() external view returns (uint64);

    /// @notice The EIP-712 digest a volunteer signs to consent to `input` at merchant `merchantOrg`.
    function redeemDigest(RedeemInput calldata input, uint64 merchantOrg) external view returns (bytes32);

    function rotateKeyDigest(bytes32 volunteer, address newKey, uint64 deadline) external view returns (bytes32);

    function MAX_BATCH() external view returns (uint256);
}
