// Hardhat 3 configuration: the one place where the compiler and its settings are stated.
import { createRequire } from "node:module";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

/**
 * The compiler is the npm `solc` package (a WebAssembly build), pinned in package.json,
 * so that a build never downloads anything. Keep `SOLC_VERSION` equal to that pin.
 */
const SOLC_VERSION = "0.8.34";

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    version: SOLC_VERSION,
    path: require.resolve("solc/soljson.js"),
    settings: {
      // Besu supports cancun on private networks; OpenZeppelin 5.7 (EIP712) already needs MCOPY.
      evmVersion: "cancun",
      // Records are written far more often than contracts are deployed, so optimise for calls:
      // runs = 10,000 trades a slightly larger bytecode for cheaper execution. viaIR is off: with the
      // WebAssembly solc it compiles several times slower, and the gas figures in README.md were
      // measured with the legacy pipeline (code that would need viaIR is split into helpers instead).
      optimizer: { enabled: true, runs: 10_000 },
    },
  },
  networks: {
    // A standalone node (anvil or `hardhat node`) on this machine.
    localhost: { type: "http", url: process.env.SHANJI_RPC_URL ?? "http://127.0.0.1:8545" },
  },
});
