// Benchmark for bench/credentials.py: node bench.mjs <unsigned-credential.json> <seed-hex> <created> <seconds>
// Signs (eddsa-rdfc-2022, digitalbazaar stack) and verifies the same document repeatedly for about
// <seconds> each, with the same offline loader as verify.mjs, and prints one JSON line with the rates and
// the first proof (so the caller can check that both languages produce the same signature).
import {readFileSync} from 'node:fs';
import {createHash} from 'node:crypto';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {performance} from 'node:perf_hooks';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const here = dirname(fileURLToPath(import.meta.url));
const contextsDir = process.env.MASTERY_CONTEXTS_DIR ||
  join(here, '..', '..', 'lti_tool', 'credentials', 'proof', 'jsonld_documents');
const manifest = JSON.parse(readFileSync(join(contextsDir, 'manifest.json'), 'utf8'));
const contexts = new Map();
for(const {url, file, sha256} of manifest.contexts) {
  const bytes = readFileSync(join(contextsDir, file));
  if(createHash('sha256').update(bytes).digest('hex') !== sha256) {
    throw new Error(`context ${file} does not match its pinned sha256`);
  }
  contexts.set(url, JSON.parse(bytes.toString('utf8')));
}

const [path, seedHex, created, secondsArg] = process.argv.slice(2);
if(!path || !seedHex || !created) {
  console.error('usage: node bench.mjs <unsigned.json> <seed-hex> <created> [seconds]');
  process.exit(2);
}
const seconds = Number(secondsArg || 3);
const key = await Ed25519Multikey.generate({seed: Uint8Array.from(Buffer.from(seedHex, 'hex'))});
const did = `did:key:${key.publicKeyMultibase}`;
key.controller = did;
key.id = `${did}#${key.publicKeyMultibase}`;
const publicMethod = {
  '@context': 'https://w3id.org/security/multikey/v1', id: key.id, type: 'Multikey', controller: did,
  publicKeyMultibase: key.publicKeyMultibase
};

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if(url === key.id) {
    return {contextUrl: null, documentUrl: url, document: publicMethod};
  }
  if(url === did) {
    const {['@context']: _ignored, ...embedded} = publicMethod;
    return {contextUrl: null, documentUrl: url, document: {
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'], id: did,
      verificationMethod: [embedded], assertionMethod: [key.id]
    }};
  }
  throw new Error(`offline loader: ${url} is not available (never fetched)`);
}

const credential = JSON.parse(readFileSync(path, 'utf8'));
const sign = () => vc.issue({
  credential: structuredClone(credential), documentLoader,
  suite: new DataIntegrityProof({signer: key.signer(), cryptosuite, date: created})
});
const verifySuite = new DataIntegrityProof({cryptosuite});
const check = signed => vc.verifyCredential({
  credential: signed, suite: verifySuite, documentLoader, checkStatus: async () => ({verified: true})
});

async function rate(action) {
  await action();
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while((elapsed = performance.now() - start) < seconds * 1000) {
    await action();
    count++;
  }
  return count / (elapsed / 1000);
}

const signed = await sign();
const first = await check(signed);
if(!first.verified) {
  console.error(JSON.stringify(first.error || first, null, 1));
  process.exit(1);
}
const signsPerSecond = await rate(sign);
const verifiesPerSecond = await rate(() => check(signed));
console.log(JSON.stringify({
  node: process.version, signs_per_s: signsPerSecond, verifies_per_s: verifiesPerSecond, proof: signed.proof
}));
