// Imported first by `passgrant/sandbox`'s entry point only (the CLI imports the sandbox's modules
// directly: its bundle carries these packages).
import { assertPeersInstalled, SPEC_PEERS } from "../peers/optional-peers.js";

assertPeersInstalled("passgrant/sandbox", SPEC_PEERS);
