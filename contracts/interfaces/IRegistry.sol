// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

/// @title IRegistry
/// @notice Accredited organisations and their keys. Organisations are public: their kind, Unified
/// Social Credit Code and registered name are on chain. Each has one admin key that adds and
/// revokes operator keys; operator keys write records through the modules. A key belongs to at
/// most one organisation, ever (a revoked key is retired, not freed). Governance — the default
/// admin and the operators of active regulator organisations — accredits, suspends and reinstates.
/// Every change is an entry of the organisation's stream in the transparency log.
interface IRegistry {
    enum OrgKind {
        None,
        Charity,
        Enterprise,
        VolunteerOrg,
        Merchant,
        Auditor,
        Regulator
    }

    enum OrgStatus {
        None,
        Active,
        Suspended
    }

    enum KeyRole {
        None,
        Admin,
        Operator,
        Retired
    }

    /// @dev Laid out in three slots; the first is all that `requireOperator` reads.
    struct Org {
        OrgKind kind;
        OrgStatus status;
        uint16 suspensionReason;
        address admin;
        bytes18 creditCode;
        uint64 pendingAdminReadyAt;
        address pendingAdmin;
    }

    struct Key {
        uint64 orgId;
        KeyRole role;
    }

    // ---------------------------------------------------------------- errors
    /// @notice `caller` is neither the governance admin nor an operator of an active regulator.
    error RegistryNotGovernance(address caller);
    /// @notice `caller` is not the admin key of organisation `orgId`.
    error RegistryNotOrgAdmin(uint64 orgId, address caller);
    /// @notice `key` is not an operator key of any organisation.
    error RegistryKeyNotOperator(address key);
    /// @notice `key` already belongs to organisation `orgId` (or was retired there).
    error RegistryKeyTaken(address key, uint64 orgId);
    /// @notice `key` is not an operator of organisation `orgId`.
    error RegistryKeyNotOperatorOf(address key, uint64 orgId);
    /// @notice The zero address is not a key.
    error RegistryKeyInvalid();
    /// @notice No organisation has id `orgId`.
    error RegistryOrgNotFound(uint64 orgId);
    /// @notice Organisation `orgId` is suspended (reason `reason`) and cannot write.
    error RegistryOrgSuspended(uint64 orgId, uint16 reason);
    /// @notice Organisation `orgId` is not suspended.
    error RegistryOrgNotSuspended(uint64 orgId);
    /// @notice Organisation `orgId` of kind `kind` may not do this.
    error RegistryOrgKindNotAllowed(uint64 orgId, OrgKind kind);
    /// @notice `kind` is not an organisation kind.
    error RegistryOrgKindInvalid(uint8 kind);
    /// @notice The credit code has a character not allowed at `position` (1-based), or a bad length.
    error RegistryCreditCodeMalformed(bytes18 code, uint8 position);
    /// @notice The credit code's check character is `actual` but the first 17 characters call for
    /// `expected`; a regulator may accredit it anyway with an explicit override.
    error RegistryCreditCodeCheckFailed(bytes18 code, bytes1 expected, bytes1 actual);
    /// @notice Organisation `orgId` already has this credit code.
    error RegistryCreditCodeTaken(bytes18 code, uint64 orgId);
    /// @notice The registered name must be 1..MAX_NAME_BYTES bytes of UTF-8.
    error RegistryNameInvalid(uint256 length);
    /// @notice Suspension needs a non-zero reason code.
    error RegistryReasonInvalid();
    /// @notice No admin transfer is pending for organisation `orgId`.
    error RegistryAdminTransferNotPending(uint64 orgId);
    /// @notice The admin transfer of organisation `orgId` can be accepted from `readyAt` on.
    error RegistryAdminTransferNotReady(uint64 orgId, uint64 readyAt);

    // ---------------------------------------------------------------- events
    // Everything is reported by the transparency log's EntryAppended event; the registry emits
    // nothing of its own, so that the log is the one source an indexer reads.

    // ---------------------------------------------------------------- governance
    /// @notice Accredits an organisation and names its admin key.
    /// @param kind an OrgKind other than None, as its number
    /// @param creditCode 18 ASCII characters, upper case
    /// @param overrideCheckCharacter accredit even though the check character is wrong (some
    /// codes really issued are said to fail it); the override is recorded in the entry. A code
    /// with a malformed shape is never accredited.
    /// @param metadataHash SHA-256 of the organisation's published profile (off chain)
    function accredit(
        uint8 kind,
        bytes18 creditCode,
        string calldata name,
        bytes32 metadataHash,
        address admin,
        bool overrideCheckCharacter
    ) external returns (uint64 orgId);

    /// @notice Suspends an organisation: its operator keys can no longer write.
    function suspend(uint64 orgId, uint16 reason) external;

    /// @notice Lifts a suspension.
    function reinstate(uint64 orgId) external;

    // ---------------------------------------------------------------- organisation admin
    function addOperator(uint64 orgId, address key) external;

    /// @notice Revokes an operator key for good: it can never belong to an organisation again.
    function revokeOperator(uint64 orgId, address key) external;

    /// @notice Starts handing the admin role to `newAdmin`, who can accept after the delay.
    function beginAdminTransfer(uint64 orgId, address newAdmin) external;

    function cancelAdminTransfer(uint64 orgId) external;

    /// @notice Called by the pending admin once the delay has passed. The old admin key retires.
    function acceptAdminTransfer(uint64 orgId) external;

    // ---------------------------------------------------------------- views
    /// @notice The organisation that operator `key` writes for, checked: the key is an operator,
    /// the organisation is active, and its kind is in `allowedKinds` (bit i set = OrgKind(i)).
    /// Reverts with the Registry error that says which check failed.
    function requireOperator(address key, uint256 allowedKinds) external view returns (uint64 orgId, OrgKind kind);

    function org(uint64 orgId) external view returns (Org memory);

    function keyInfo(address key) external view returns (Key memory);

    function orgIdByCreditCode(bytes18 creditCode) external view returns (uint64);

    function orgCount() external view returns (uint64);

    /// @notice Seconds an organisation's admin transfer must wait.
    function adminTransferDelay() external view returns (uint64);

    /// @notice The longest registered name, in bytes.
    function MAX_NAME_BYTES() external view returns (uint256);
}
