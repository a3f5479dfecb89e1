// Independent verifier for the MASTERY test suite: node verify.mjs <credential.json>
// Verifies an eddsa-rdfc-2022 credential with the digitalbazaar stack (jsonld.js canonicalisation in
// safe mode), an offline document loader over the tool's own pinned context files, and did:key resolved
// locally. Prints a JSON result; exit code 0 = verified, 1 = not verified, 2 = usage/setup error.
import {readFileSync} from 'node:fs';
import {createHash} from 'node:crypto';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const here = dirname(fileURLToPath(import.meta.url));
const contextsDir = process.env.MASTERY_CONTEXTS_DIR ||
  join(here, '..', '..', 'lti_tool', 'credentials', 'contexts');
const manifest = JSON.parse(readFileSync(join(contextsDir, 'manifest.json'), 'utf8'));
const contexts = new Map();
for(const {url, file, sha256} of manifest.contexts) {
  const bytes = readFileSync(join(contextsDir, file));
  const digest = createHash('sha256').update(bytes).digest('hex');
  if(digest !== sha256) {
    throw new Error(`context ${file} has sha256 ${digest}, manifest pins ${sha256}`);
  }
  contexts.set(url, JSON.parse(bytes.toString('utf8')));
}

const DID_V1 = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';

function didKeyDocument(url) {
  // did:key (Ed25519 only): the DID document is derived from the identifier itself.
  const [did, fragment] = url.split('#');
  const key = did.slice('did:key:'.length);
  const method = {
    '@context': MULTIKEY_V1, id: `${did}#${key}`, type: 'Multikey', controller: did,
    publicKeyMultibase: key
  };
  if(fragment !== undefined) {
    if(fragment !== key) {
      throw new Error(`did:key fragment must repeat the key: ${url}`);
    }
    return method;
  }
  const {['@context']: _ignored, ...embedded} = method;
  return {
    '@context': [DID_V1, MULTIKEY_V1], id: did, verificationMethod: [embedded],
    assertionMethod: [embedded.id], authentication: [embedded.id]
  };
}

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if(url.startsWith('did:key:z6Mk')) {
    return {contextUrl: null, documentUrl: url, document: didKeyDocument(url)};
  }
  throw new Error(`offline loader: ${url} is not available (never fetched)`);
}

const path = process.argv[2];
if(!path) {
  console.error('usage: node verify.mjs <credential.json>');
  process.exit(2);
}
const credential = JSON.parse(readFileSync(path, 'utf8'));
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
const result = await vc.verifyCredential({
  credential, suite, documentLoader,
  // Revocation is checked by the Python side; this verifier proves the signature independently.
  checkStatus: async () => ({verified: true})
});
const errors = [];
const collect = err => {
  if(!err) {
    return;
  }
  errors.push(err.message || String(err));
  (err.errors || []).forEach(collect);
};
collect(result.error);
(result.results || []).forEach(r => collect(r.error));
console.log(JSON.stringify({verified: result.verified, errors}));
process.exit(result.verified ? 0 : 1);
