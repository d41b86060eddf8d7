// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

/// @title RecordedAdminRules
/// @notice OpenZeppelin's AccessControlDefaultAdminRules (a single governance admin whose transfer
/// waits a delay), with every governance change also written to the transparency log as a
/// GOVERNANCE_CHANGED entry, so that who governs the ledger is itself on the ledger.
abstract contract RecordedAdminRules is AccessControlDefaultAdminRules {
    // Actions of a GOVERNANCE_CHANGED entry.
    uint8 internal constant _ROLE_GRANTED = 1;
    uint8 internal constant _ROLE_REVOKED = 2;
    uint8 internal constant _ADMIN_TRANSFER_BEGUN = 3;
    uint8 internal constant _ADMIN_TRANSFER_CANCELLED = 4;
    uint8 internal constant _DELAY_CHANGE_BEGUN = 5;
    uint8 internal constant _DELAY_CHANGE_ROLLED_BACK = 6;

    constructor(uint48 initialDelay, address initialAdmin) AccessControlDefaultAdminRules(initialDelay, initialAdmin) {}

    /// @dev Appends the GOVERNANCE_CHANGED entry; `value` is a schedule or a delay, in seconds.
    function _recordGovernance(uint8 action, bytes32 role, address account, uint64 value) internal virtual;

    function _grantRole(bytes32 role, address account) internal virtual override returns (bool granted) {
        granted = super._grantRole(role, account);
        if (granted) _recordGovernance(_ROLE_GRANTED, role, account, 0);
    }

    function _revokeRole(bytes32 role, address account) internal virtual override returns (bool revoked) {
        revoked = super._revokeRole(role, account);
        if (revoked) _recordGovernance(_ROLE_REVOKED, role, account, 0);
    }

    function _beginDefaultAdminTransfer(address newAdmin) internal virtual override {
        super._beginDefaultAdminTransfer(newAdmin);
        (, uint48 schedule) = pendingDefaultAdmin();
        _recordGovernance(_ADMIN_TRANSFER_BEGUN, DEFAULT_ADMIN_ROLE, newAdmin, schedule);
    }

    /// @dev Recorded only when a transfer (or a renounce, to address 0) was scheduled; the entry
    /// carries that schedule so that the two can be told apart.
    function _cancelDefaultAdminTransfer() internal virtual override {
        (address pending, uint48 schedule) = pendingDefaultAdmin();
        super._cancelDefaultAdminTransfer();
        if (schedule != 0) _recordGovernance(_ADMIN_TRANSFER_CANCELLED, DEFAULT_ADMIN_ROLE, pending, schedule);
    }

    function _changeDefaultAdminDelay(uint48 newDelay) internal virtual override {
        super._changeDefaultAdminDelay(newDelay);
        _recordGovernance(_DELAY_CHANGE_BEGUN, DEFAULT_ADMIN_ROLE, address(0), newDelay);
    }

    /// @dev Recorded only when a delay change was really pending: once its schedule has passed,
    /// the new delay is in force and OpenZeppelin's rollback changes nothing.
    function _rollbackDefaultAdminDelay() internal virtual override {
        (uint48 newDelay, uint48 schedule) = pendingDefaultAdminDelay();
        bool pending = schedule != 0 && schedule > block.timestamp;
        super._rollbackDefaultAdminDelay();
        if (pending) _recordGovernance(_DELAY_CHANGE_ROLLED_BACK, DEFAULT_ADMIN_ROLE, address(0), newDelay);
    }
}
