// Imported first by `passgrant/testing`'s entry point.
import { assertPeersInstalled, NOCK_PEER, SPEC_PEERS } from "../peers/optional-peers.js";

assertPeersInstalled("passgrant/testing", { ...NOCK_PEER, ...SPEC_PEERS });
