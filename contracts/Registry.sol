// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

import {RecordedAdminRules} from "./base/RecordedAdminRules.sol";
import {IRegistry} from "./interfaces/IRegistry.sol";
import {ITransparencyLog} from "./interfaces/ITransparencyLog.sol";
import {CreditCode} from "./libraries/CreditCode.sol";
import {Entries} from "./libraries/Entries.sol";

/// @title Registry
/// @notice Organisations, their kinds, credit codes, status and keys. See IRegistry.
contract Registry is IRegistry, RecordedAdminRules {
    /// @inheritdoc IRegistry
    uint256 public constant MAX_NAME_BYTES = 200;

    ITransparencyLog private immutable _log;
    uint64 private immutable _adminTransferDelay;

    // ---------------------------------------------------------------- storage
    uint64 private _orgCount;
    mapping(uint64 orgId => Org) private _orgs;
    mapping(address key => Key) private _keys;
    mapping(bytes18 creditCode => uint64 orgId) private _orgByCode;

    // ---------------------------------------------------------------- constructor
    /// @param log the transparency log (this registry must be one of its writers)
    /// @param governanceDelay seconds a transfer of the governance admin must wait
    /// @param governance the governance admin
    /// @param orgAdminTransferDelay seconds an organisation's admin transfer must wait
    constructor(ITransparencyLog log, uint48 governanceDelay, address governance, uint64 orgAdminTransferDelay)
        RecordedAdminRules(governanceDelay, governance)
    {
        _log = log;
        _adminTransferDelay = orgAdminTransferDelay;
    }

    // ---------------------------------------------------------------- governance
    /// @inheritdoc IRegistry
    function accredit(
        uint8 kind,
        bytes18 creditCode,
        string calldata name,
        bytes32 metadataHash,
        address admin,
        bool overrideCheckCharacter
    ) external returns (uint64 orgId) {
        uint64 actorOrg = _requireGovernance();
        if (kind == uint8(OrgKind.None) || kind > uint8(OrgKind.Regulator)) revert RegistryOrgKindInvalid(kind);
        bool overridden = _checkCreditCode(creditCode, overrideCheckCharacter);
        uint256 nameLength = bytes(name).length;
        if (nameLength == 0 || nameLength > MAX_NAME_BYTES) revert RegistryNameInvalid(nameLength);
        _requireFreeKey(admin);

        orgId = ++_orgCount;
        _orgs[orgId] = Org({
            kind: OrgKind(kind),
            status: OrgStatus.Active,
            suspensionReason: 0,
            admin: admin,
            creditCode: creditCode,
            pendingAdminReadyAt: 0,
            pendingAdmin: address(0)
        });
        _keys[admin] = Key({orgId: orgId, role: KeyRole.Admin});
        _orgByCode[creditCode] = orgId;

        bytes memory payload =
            abi.encodePacked(orgId, kind, creditCode, overridden, admin, metadataHash, uint16(nameLength));
        _record(Entries.ORG_ACCREDITED, actorOrg, orgId, bytes.concat(payload, bytes(name)));
    }

    /// @inheritdoc IRegistry
    function suspend(uint64 orgId, uint16 reason) external {
        uint64 actorOrg = _requireGovernance();
        if (reason == 0) revert RegistryReasonInvalid();
        Org storage o = _existing(orgId);
        if (o.status == OrgStatus.Suspended) revert RegistryOrgSuspended(orgId, o.suspensionReason);
        o.status = OrgStatus.Suspended;
        o.suspensionReason = reason;
        _record(Entries.ORG_SUSPENDED, actorOrg, orgId, abi.encodePacked(orgId, reason));
    }

    /// @inheritdoc IRegistry
    function reinstate(uint64 orgId) external {
        uint64 actorOrg = _requireGovernance();
        Org storage o = _existing(orgId);
        if (o.status != OrgStatus.Suspended) revert RegistryOrgNotSuspended(orgId);
        o.status = OrgStatus.Active;
        o.suspensionReason = 0;
        _record(Entries.ORG_REINSTATED, actorOrg, orgId, abi.encodePacked(orgId));
    }

    // ---------------------------------------------------------------- organisation admin
    /// @inheritdoc IRegistry
    function addOperator(uint64 orgId, address key) external {
        _requireOrgAdmin(orgId);
        _requireFreeKey(key);
        _keys[key] = Key({orgId: orgId, role: KeyRole.Operator});
        _record(Entries.OPERATOR_ADDED, orgId, orgId, abi.encodePacked(orgId, key));
    }

    /// @inheritdoc IRegistry
    function revokeOperator(uint64 orgId, address key) external {
        _requireOrgAdmin(orgId);
        Key storage k = _keys[key];
        if (k.orgId != orgId || k.role != KeyRole.Operator) revert RegistryKeyNotOperatorOf(key, orgId);
        k.role = KeyRole.Retired;
        _record(Entries.OPERATOR_REVOKED, orgId, orgId, abi.encodePacked(orgId, key));
    }

    /// @inheritdoc IRegistry
    function beginAdminTransfer(uint64 orgId, address newAdmin) external {
        Org storage o = _requireOrgAdmin(orgId);
        _requireFreeKey(newAdmin);
        uint64 readyAt = uint64(block.timestamp) + _adminTransferDelay;
        o.pendingAdmin = newAdmin;
        o.pendingAdminReadyAt = readyAt;
        _record(Entries.ADMIN_TRANSFER_STARTED, orgId, orgId, abi.encodePacked(orgId, newAdmin, readyAt));
    }

    /// @inheritdoc IRegistry
    function cancelAdminTransfer(uint64 orgId) external {
        Org storage o = _requireOrgAdmin(orgId);
        address pending = o.pendingAdmin;
        if (pending == address(0)) revert RegistryAdminTransferNotPending(orgId);
        o.pendingAdmin = address(0);
        o.pendingAdminReadyAt = 0;
        _record(Entries.ADMIN_TRANSFER_CANCELLED, orgId, orgId, abi.encodePacked(orgId, pending));
    }

    /// @inheritdoc IRegistry
    function acceptAdminTransfer(uint64 orgId) external {
        Org storage o = _existing(orgId);
        address pending = o.pendingAdmin;
        if (pending == address(0) || pending != msg.sender) revert RegistryAdminTransferNotPending(orgId);
        if (block.timestamp < o.pendingAdminReadyAt) {
            revert RegistryAdminTransferNotReady(orgId, o.pendingAdminReadyAt);
        }
        // The key may have been taken since the transfer began.
        _requireFreeKey(pending);
        address previous = o.admin;
        _keys[previous].role = KeyRole.Retired;
        _keys[pending] = Key({orgId: orgId, role: KeyRole.Admin});
        o.admin = pending;
        o.pendingAdmin = address(0);
        o.pendingAdminReadyAt = 0;
        _record(Entries.ADMIN_CHANGED, orgId, orgId, abi.encodePacked(orgId, previous, pending));
    }

    // ---------------------------------------------------------------- views
    /// @inheritdoc IRegistry
    function requireOperator(address key, uint256 allowedKinds) external view returns (uint64 orgId, OrgKind kind) {
        Key memory k = _keys[key];
        if (k.role != KeyRole.Operator) revert RegistryKeyNotOperator(key);
        orgId = k.orgId;
        Org storage o = _orgs[orgId];
        kind = o.kind;
        if (o.status != OrgStatus.Active) revert RegistryOrgSuspended(orgId, o.suspensionReason);
        if (allowedKinds & (1 << uint8(kind)) == 0) revert RegistryOrgKindNotAllowed(orgId, kind);
    }

    /// @inheritdoc IRegistry
    function org(uint64 orgId) external view returns (Org memory) {
        return _orgs[orgId];
    }

    /// @inheritdoc IRegistry
    function keyInfo(address key) external view returns (Key memory) {
        return _keys[key];
    }

    /// @inheritdoc IRegistry
    function orgIdByCreditCode(bytes18 creditCode) external view returns (uint64) {
        return _orgByCode[creditCode];
    }

    /// @inheritdoc IRegistry
    function orgCount() external view returns (uint64) {
        return _orgCount;
    }

    /// @inheritdoc IRegistry
    function adminTransferDelay() external view returns (uint64) {
        return _adminTransferDelay;
    }

    // ---------------------------------------------------------------- internal
    /// @dev The governance admin acts as organisation 0; a regulator's operator as its organisation.
    function _requireGovernance() private view returns (uint64 actorOrg) {
        if (hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) return 0;
        Key memory k = _keys[msg.sender];
        if (k.role != KeyRole.Operator) revert RegistryNotGovernance(msg.sender);
        Org storage o = _orgs[k.orgId];
        if (o.kind != OrgKind.Regulator) revert RegistryNotGovernance(msg.sender);
        if (o.status != OrgStatus.Active) revert RegistryOrgSuspended(k.orgId, o.suspensionReason);
        return k.orgId;
    }

    /// @dev Reverts unless the code is well formed and unused; returns whether its check
    /// character was wrong and the caller overrode that.
    function _checkCreditCode(bytes18 creditCode, bool overrideCheckCharacter) private view returns (bool) {
        (uint8 result, uint8 position, bytes1 expected) = CreditCode.check(creditCode);
        if (result == CreditCode.BAD_SHAPE) revert RegistryCreditCodeMalformed(creditCode, position);
        if (result == CreditCode.BAD_CHECK && !overrideCheckCharacter) {
            revert RegistryCreditCodeCheckFailed(creditCode, expected, creditCode[17]);
        }
        uint64 holder = _orgByCode[creditCode];
        if (holder != 0) revert RegistryCreditCodeTaken(creditCode, holder);
        return result == CreditCode.BAD_CHECK;
    }

    /// @dev Governance changes of the registry go to the log's governance stream. The first admin,
    /// granted while the registry is being constructed (before it can be a writer), is recorded by
    /// the deployment transaction instead.
    function _recordGovernance(uint8 action, bytes32 role, address account, uint64 value) internal override {
        if (address(this).code.length == 0) return;
        bytes32[] memory streams = new bytes32[](1);
        streams[0] = Entries.streamId(Entries.STREAM_GOVERNANCE, bytes32(0));
        bytes memory payload = abi.encodePacked(address(this), action, role, account, value);
        _log.append(Entries.GOVERNANCE_CHANGED, 0, msg.sender, streams, payload);
    }

    function _requireOrgAdmin(uint64 orgId) private view returns (Org storage o) {
        o = _existing(orgId);
        if (o.admin != msg.sender) revert RegistryNotOrgAdmin(orgId, msg.sender);
    }

    function _existing(uint64 orgId) private view returns (Org storage o) {
        o = _orgs[orgId];
        if (o.status == OrgStatus.None) revert RegistryOrgNotFound(orgId);
    }

    function _requireFreeKey(address key) private view {
        if (key == address(0)) revert RegistryKeyInvalid();
        Key memory k = _keys[key];
        if (k.role != KeyRole.None) revert RegistryKeyTaken(key, k.orgId);
    }

    function _record(uint8 kind, uint64 actorOrg, uint64 orgId, bytes memory payload) private {
        bytes32[] memory streams = new bytes32[](1);
        streams[0] = Entries.orgStream(orgId);
        _log.append(kind, actorOrg, msg.sender, streams, payload);
    }
}
