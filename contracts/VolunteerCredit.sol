// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IRegistry} from "./interfaces/IRegistry.sol";
import {ITransparencyLog} from "./interfaces/ITransparencyLog.sol";
import {IVolunteerCredit} from "./interfaces/IVolunteerCredit.sol";
import {Entries} from "./libraries/Entries.sol";
import {Leaf} from "./libraries/Leaf.sol";
import {MerkleLog} from "./libraries/MerkleLog.sol";
import {RecordBatch} from "./libraries/RecordBatch.sol";

/// @title VolunteerCredit
/// @notice Volunteer service credit, redemptions and certificates. See IVolunteerCredit.
contract VolunteerCredit is IVolunteerCredit, EIP712 {
    /// @inheritdoc IVolunteerCredit
    /// @dev 150 credits to volunteers seen for the first time cost about 13M gas: under the 16,777,216
    /// gas that one transaction may use since Osaka (EIP-7825).
    uint256 public constant MAX_BATCH = 150;

    bytes32 public constant REDEEM_TYPEHASH = keccak256(
        "Redeem(bytes32 volunteer,uint64 merchantOrg,uint64 points,bytes32 externalRef,bytes32 serviceHash,"
        "uint32 nonce,uint64 deadline)"
    );
    bytes32 public constant ROTATE_KEY_TYPEHASH =
        keccak256("RotateKey(bytes32 volunteer,address newKey,uint32 nonce,uint64 deadline)");

    // Bit masks of IRegistry.OrgKind values allowed to call.
    uint256 private constant _ISSUERS = (1 << uint8(IRegistry.OrgKind.VolunteerOrg))
        | (1 << uint8(IRegistry.OrgKind.Charity)) | (1 << uint8(IRegistry.OrgKind.Enterprise));
    uint256 private constant _MERCHANT = 1 << uint8(IRegistry.OrgKind.Merchant);
    /// @dev Service dates are YYYYMMDD calendar dates in these years.
    uint32 private constant _FIRST_YEAR = 1900;
    uint32 private constant _LAST_YEAR = 2999;

    IRegistry private immutable _registry;
    ITransparencyLog private immutable _log;

    // ---------------------------------------------------------------- storage
    uint64 private _activityCount;
    mapping(uint64 activityId => uint64 orgId) private _activities;
    mapping(bytes32 volunteer => Account) private _accounts;

    // ---------------------------------------------------------------- constructor
    constructor(IRegistry registry, ITransparencyLog log) EIP712("Shanji VolunteerCredit", "1") {
        _registry = registry;
        _log = log;
    }

    // ---------------------------------------------------------------- writes
    /// @inheritdoc IVolunteerCredit
    function registerActivity(bytes32 descriptionHash, uint64 startTime, uint64 endTime)
        external
        returns (uint64 activityId)
    {
        (uint64 orgId,) = _registry.requireOperator(msg.sender, _ISSUERS);
        if (descriptionHash == 0) revert CreditHashInvalid();
        if (endTime != 0 && endTime < startTime) revert CreditTimeWindowInvalid(startTime, endTime);
        activityId = ++_activityCount;
        _activities[activityId] = orgId;
        _append(
            Entries.ACTIVITY_REGISTERED,
            orgId,
            Entries.activityStream(activityId),
            Entries.orgStream(orgId),
            0,
            abi.encodePacked(activityId, descriptionHash, startTime, endTime)
        );
    }

    /// @inheritdoc IVolunteerCredit
    function issueCredit(uint64 activityId, CreditInput calldata credit) external returns (uint64) {
        uint64 orgId = _requireActivityOwner(activityId);
        bytes32 recordStream = _newRecordStream(orgId, credit.externalRef);
        ITransparencyLog.NewEntry memory e = _creditEntry(activityId, credit, recordStream);
        return _log.append(Entries.CREDIT_ISSUED, orgId, msg.sender, e.streams, e.payload);
    }

    /// @inheritdoc IVolunteerCredit
    function issueCredits(uint64 activityId, CreditInput[] calldata credits) external {
        uint64 orgId = _requireActivityOwner(activityId);
        uint256 n = credits.length;
        if (n == 0 || n > MAX_BATCH) revert CreditBatchSizeInvalid(n, MAX_BATCH);
        // Two calls into the log for the batch, as CharityLedger.recordDonations: its record streams'
        // heads, then its entries. The rows are checked in order, as if each were appended before the
        // next is checked; a reference repeated within the batch names the entry its first row gets.
        bytes32[] memory refs = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            refs[i] = credits[i].externalRef;
        }
        RecordBatch.Claims memory claims = RecordBatch.open(_log, orgId, refs);
        ITransparencyLog.NewEntry[] memory entries = new ITransparencyLog.NewEntry[](n);
        for (uint256 i = 0; i < n; ++i) {
            if (refs[i] == 0) revert CreditExternalRefInvalid();
            (bool taken, uint64 index) = RecordBatch.claim(claims, i);
            if (taken) revert CreditRecordExists(refs[i], index);
            entries[i] = _creditEntry(activityId, credits[i], claims.streams[i]);
        }
        _log.appendBatch(Entries.CREDIT_ISSUED, orgId, msg.sender, entries);
    }

    /// @inheritdoc IVolunteerCredit
    function reverseCredit(bytes32 externalRef, uint16 reason, bytes calldata leaf) external returns (uint64) {
        (uint64 orgId,) = _registry.requireOperator(msg.sender, _ISSUERS);
        if (reason == 0) revert CreditReasonInvalid();
        bytes32 recordStream = Entries.recordStream(orgId, externalRef);
        uint64 target = _checkRecordLeaf(recordStream, externalRef, leaf);
        uint8 kind = uint8(leaf[Leaf.KIND_OFFSET]);
        if (kind != Entries.CREDIT_ISSUED) revert CreditRecordNotReversible(externalRef, kind);

        (bytes32 activityStream, bytes32 volunteerStream, bytes memory payload) =
            _takeBack(Leaf.payload(leaf), target, reason);
        return _append(Entries.CREDIT_REVERSED, orgId, activityStream, volunteerStream, recordStream, payload);
    }

    /// @inheritdoc IVolunteerCredit
    function setConsentKey(bytes32 volunteer, address key, bytes32 creditRef, bytes calldata creditLeaf) external {
        (uint64 orgId,) = _registry.requireOperator(msg.sender, _ISSUERS);
        if (key == address(0)) revert CreditConsentKeyInvalid();
        // Only an organisation that credited this volunteer knows who they are: it shows one of its
        // credits to them, checked against that credit's record stream.
        _checkRecordLeaf(Entries.recordStream(orgId, creditRef), creditRef, creditLeaf);
        bytes calldata p = Leaf.payload(creditLeaf);
        if (
            uint8(creditLeaf[Leaf.KIND_OFFSET]) != Entries.CREDIT_ISSUED
                || bytes32(p[Leaf.CREDIT_VOLUNTEER:Leaf.CREDIT_VOLUNTEER + 32]) != volunteer
        ) revert CreditConsentNotIssuer(volunteer, orgId);
        Account storage a = _accounts[volunteer];
        if (a.consentKey != address(0)) revert CreditConsentKeySet(volunteer, a.consentKey);
        a.consentKey = key;
        _appendOne(
            Entries.CONSENT_KEY_SET, orgId, Entries.volunteerStream(volunteer), abi.encodePacked(volunteer, key)
        );
    }

    /// @inheritdoc IVolunteerCredit
    function rotateConsentKey(bytes32 volunteer, address newKey, uint64 deadline, bytes calldata signature) external {
        if (newKey == address(0)) revert CreditConsentKeyInvalid();
        if (block.timestamp > deadline) revert CreditConsentExpired(deadline);
        Account storage a = _accounts[volunteer];
        address current = a.consentKey;
        if (current == address(0)) revert CreditConsentKeyMissing(volunteer);
        bytes32 digest = _rotateKeyDigest(volunteer, newKey, a.nonce, deadline);
        if (!SignatureChecker.isValidSignatureNow(current, digest, signature)) revert CreditConsentInvalid(volunteer);
        a.nonce += 1;
        a.consentKey = newKey;
        // Written on the volunteer's own authority: no organisation (0), the old key as operator.
        _log.append(
            Entries.CONSENT_KEY_SET,
            0,
            current,
            _one(Entries.volunteerStream(volunteer)),
            abi.encodePacked(volunteer, newKey)
        );
    }

    /// @inheritdoc IVolunteerCredit
    function redeem(RedeemInput calldata input, bytes calldata signature) external returns (uint64) {
        (uint64 merchantOrg,) = _registry.requireOperator(msg.sender, _MERCHANT);
        bytes32 recordStream = _newRecordStream(merchantOrg, input.externalRef);
        if (input.points == 0) revert CreditAmountInvalid(input.externalRef);
        uint32 nonce = _spendWithConsent(input, merchantOrg, signature);
        return _append(
            Entries.CREDIT_REDEEMED,
            merchantOrg,
            Entries.volunteerStream(input.volunteer),
            Entries.orgStream(merchantOrg),
            recordStream,
            abi.encodePacked(input.volunteer, input.points, input.externalRef, input.serviceHash, nonce)
        );
    }

    /// @inheritdoc IVolunteerCredit
    function issueCertificate(bytes32 volunteer, bytes32 certificateHash, uint64 minutesCovered)
        external
        returns (uint64)
    {
        (uint64 orgId,) = _registry.requireOperator(msg.sender, _ISSUERS);
        if (volunteer == 0) revert CreditVolunteerInvalid(certificateHash);
        bytes32 recordStream = _newRecordStream(orgId, certificateHash);
        return _append(
            Entries.CERTIFICATE_ISSUED,
            orgId,
            Entries.volunteerStream(volunteer),
            Entries.orgStream(orgId),
            recordStream,
            abi.encodePacked(volunteer, certificateHash, minutesCovered)
        );
    }

    // ---------------------------------------------------------------- views
    /// @inheritdoc IVolunteerCredit
    function account(bytes32 volunteer) external view returns (Account memory) {
        return _accounts[volunteer];
    }

    /// @inheritdoc IVolunteerCredit
    function activityOrg(uint64 activityId) external view returns (uint64) {
        return _activities[activityId];
    }

    /// @inheritdoc IVolunteerCredit
    function activityCount() external view returns (uint64) {
        return _activityCount;
    }

    /// @inheritdoc IVolunteerCredit
    function redeemDigest(RedeemInput calldata input, uint64 merchantOrg) external view returns (bytes32) {
        return _redeemDigest(input, merchantOrg, _accounts[input.volunteer].nonce);
    }

    /// @inheritdoc IVolunteerCredit
    function rotateKeyDigest(bytes32 volunteer, address newKey, uint64 deadline) external view returns (bytes32) {
        return _rotateKeyDigest(volunteer, newKey, _accounts[volunteer].nonce, deadline);
    }

    // ---------------------------------------------------------------- internal
    /// @dev Checks one credit, adds its points to the volunteer's, and returns its entry; its record
    /// stream `recordStream` has been checked to be new.
    function _creditEntry(uint64 activityId, CreditInput calldata c, bytes32 recordStream)
        private
        returns (ITransparencyLog.NewEntry memory e)
    {
        bytes32 ref = c.externalRef;
        if (c.volunteer == 0) revert CreditVolunteerInvalid(ref);
        if (c.serviceMinutes == 0 && c.points == 0) revert CreditAmountInvalid(ref);
        if (!_isDate(c.serviceDate)) revert CreditDateInvalid(ref, c.serviceDate);
        _accounts[c.volunteer].points += c.points;
        e.streams = new bytes32[](3);
        e.streams[0] = Entries.activityStream(activityId);
        e.streams[1] = Entries.volunteerStream(c.volunteer);
        e.streams[2] = recordStream;
        e.payload = abi.encodePacked(activityId, ref, c.volunteer, c.serviceMinutes, c.points, c.serviceDate);
    }

    /// @dev Takes back the points of credit payload `p` (entry `target`); returns the streams and
    /// the payload of the reversal entry.
    function _takeBack(bytes calldata p, uint64 target, uint16 reason)
        private
        returns (bytes32 activityStream, bytes32 volunteerStream, bytes memory payload)
    {
        uint64 activityId = uint64(bytes8(p[0:8]));
        bytes32 volunteer = bytes32(p[Leaf.CREDIT_VOLUNTEER:Leaf.CREDIT_VOLUNTEER + 32]);
        uint64 points = uint64(bytes8(p[Leaf.CREDIT_POINTS:Leaf.CREDIT_POINTS + 8]));
        Account storage a = _accounts[volunteer];
        uint64 available = a.points;
        if (points > available) revert CreditBalanceInsufficient(volunteer, available, points);
        a.points = available - points;
        activityStream = Entries.activityStream(activityId);
        volunteerStream = Entries.volunteerStream(volunteer);
        payload = abi.encodePacked(
            target, reason, activityId, volunteer, bytes4(p[Leaf.CREDIT_MINUTES:Leaf.CREDIT_MINUTES + 4]), points
        );
    }

    /// @dev Checks the volunteer's consent to `input` and takes the points; returns the nonce used.
    function _spendWithConsent(RedeemInput calldata input, uint64 merchantOrg, bytes calldata signature)
        private
        returns (uint32 nonce)
    {
        if (block.timestamp > input.deadline) revert CreditConsentExpired(input.deadline);
        Account storage a = _accounts[input.volunteer];
        Account memory acc = a;
        if (acc.consentKey == address(0)) revert CreditConsentKeyMissing(input.volunteer);
        nonce = acc.nonce;
        bytes32 digest = _redeemDigest(input, merchantOrg, nonce);
        if (!SignatureChecker.isValidSignatureNow(acc.consentKey, digest, signature)) {
            revert CreditConsentInvalid(input.volunteer);
        }
        if (input.points > acc.points) revert CreditBalanceInsufficient(input.volunteer, acc.points, input.points);
        a.points = acc.points - input.points;
        a.nonce = nonce + 1;
    }

    /// @dev Whether `date` (YYYYMMDD) is a real calendar date, leap years included.
    function _isDate(uint32 date) private pure returns (bool) {
        uint32 year = date / 10_000;
        uint32 month = (date / 100) % 100;
        uint32 day = date % 100;
        if (year < _FIRST_YEAR || year > _LAST_YEAR || month == 0 || month > 12 || day == 0) return false;
        if (month == 2) {
            bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            return day <= (leap ? 29 : 28);
        }
        if (month == 4 || month == 6 || month == 9 || month == 11) return day <= 30;
        return day <= 31;
    }

    function _requireActivityOwner(uint64 activityId) private view returns (uint64 orgId) {
        (orgId,) = _registry.requireOperator(msg.sender, _ISSUERS);
        uint64 owner = _activities[activityId];
        if (owner == 0) revert CreditActivityNotFound(activityId);
        if (owner != orgId) revert CreditActivityNotOwned(activityId, orgId);
    }

    function _redeemDigest(RedeemInput calldata input, uint64 merchantOrg, uint32 nonce)
        private
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    REDEEM_TYPEHASH,
                    input.volunteer,
                    merchantOrg,
                    input.points,
                    input.externalRef,
                    input.serviceHash,
                    nonce,
                    input.deadline
                )
            )
        );
    }

    function _rotateKeyDigest(bytes32 volunteer, address newKey, uint32 nonce, uint64 deadline)
        private
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(ROTATE_KEY_TYPEHASH, volunteer, newKey, nonce, deadline)));
    }

    /// @dev The stream of a new record; reverts if the organisation already used `ref`.
    function _newRecordStream(uint64 orgId, bytes32 ref) private view returns (bytes32 stream) {
        if (ref == 0) revert CreditExternalRefInvalid();
        stream = Entries.recordStream(orgId, ref);
        ITransparencyLog.StreamHead memory head = _log.streamHead(stream);
        if (head.count != 0) revert CreditRecordExists(ref, head.lastIndex);
    }

    /// @dev Checks that `leaf` is the one entry of record stream `stream`; returns its index.
    function _checkRecordLeaf(bytes32 stream, bytes32 ref, bytes calldata leaf) private view returns (uint64) {
        ITransparencyLog.StreamHead memory head = _log.streamHead(stream);
        if (head.count == 0) revert CreditRecordNotFound(ref);
        if (head.count > 1) revert CreditRecordAlreadyReversed(ref, head.lastIndex);
        if (bytes16(MerkleLog.leafHash(leaf)) != head.lastLeafHash) revert CreditRecordLeafMismatch(ref);
        return head.lastIndex;
    }

    /// @dev Appends with two streams, or three when `s2` is not zero.
    function _append(uint8 kind, uint64 orgId, bytes32 s0, bytes32 s1, bytes32 s2, bytes memory payload)
        private
        returns (uint64)
    {
        bytes32[] memory streams = new bytes32[](s2 == 0 ? 2 : 3);
        streams[0] = s0;
        streams[1] = s1;
        if (s2 != 0) streams[2] = s2;
        return _log.append(kind, orgId, msg.sender, streams, payload);
    }

    function _appendOne(uint8 kind, uint64 orgId, bytes32 s0, bytes memory payload) private {
        _log.append(kind, orgId, msg.sender, _one(s0), payload);
    }

    function _one(bytes32 s0) private pure returns (bytes32[] memory streams) {
        streams = new bytes32[](1);
        streams[0] = s0;
    }
}
