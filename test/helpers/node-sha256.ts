/** The checksum constructor @smithy/signature-v4 expects (tests and benchmarks sign with smithy's signer). */
export { NodeSha256 } from '../../src/client/node-sha256.js';
