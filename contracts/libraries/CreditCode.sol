// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.34;

/// @title CreditCode
/// @notice Unified Social Credit Code (统一社会信用代码, GB 32100-2015) checks, on chain so that no
/// organisation is accredited under a malformed code. The same rules are in
/// packages/core/src/creditCode (which also explains them in words).
library CreditCode {
    /// @dev Result of `check`: the shape is wrong at `position` (1-based), or only the check
    /// character is wrong, or the code is valid.
    uint8 internal constant OK = 0;
    uint8 internal constant BAD_SHAPE = 1;
    uint8 internal constant BAD_CHECK = 2;

    /// @dev Code alphabet size: 0-9 and the 21 letters other than I, O, S, V, Z.
    uint256 private constant RADIX = 31;

    /// @notice Checks `code` (18 ASCII bytes, upper case).
    /// @return result OK, BAD_SHAPE or BAD_CHECK
    /// @return position for BAD_SHAPE, the first bad position (1-based); for BAD_CHECK, 18
    /// @return expected for BAD_CHECK, the check character the first 17 call for
    function check(bytes18 code) internal pure returns (uint8 result, uint8 position, bytes1 expected) {
        uint256 sum = 0;
        uint256 weight = 1; // 3^(i-1) mod 31
        for (uint256 i = 0; i < 18; ++i) {
            bytes1 c = code[i];
            // Positions 3-8 are the region code: digits only.
            bool digitOnly = i >= 2 && i <= 7;
            (bool ok, uint256 value) = _value(c);
            if (!ok || (digitOnly && value > 9)) return (BAD_SHAPE, uint8(i + 1), 0);
            if (i < 17) {
                sum += value * weight;
                weight = (weight * 3) % RADIX;
            } else {
                uint256 c18 = (RADIX - (sum % RADIX)) % RADIX;
                bytes1 want = _char(c18);
                if (value != c18) return (BAD_CHECK, 18, want);
            }
        }
        return (OK, 0, 0);
    }

    function _value(bytes1 c) private pure returns (bool ok, uint256 value) {
        uint8 b = uint8(c);
        if (b >= 0x30 && b <= 0x39) return (true, b - 0x30); // '0'..'9'
        // 'A'..'Y' without I, O, S, V, Z, numbered 10..30 in order.
        if (b < 0x41 || b > 0x59) return (false, 0);
        if (b == 0x49 || b == 0x4f || b == 0x53 || b == 0x56) return (false, 0); // I O S V
        uint256 v = 10 + (b - 0x41);
        if (b > 0x49) v -= 1; // after I
        if (b > 0x4f) v -= 1; // after O
        if (b > 0x53) v -= 1; // after S
        if (b > 0x56) v -= 1; // after V
        return (true, v);
    }

    function _char(uint256 value) private pure returns (bytes1) {
        return bytes("0123456789ABCDEFGHJKLMNPQRTUWXY")[value];
    }
}
