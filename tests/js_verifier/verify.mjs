// Independent verifier for the MASTERY test suite, configured the way real verifiers are:
//   node verify.mjs <credential.json> [--base-url URL]
// Contexts: only the standard ones the Digital Credentials Consortium's security-document-loader ships (what
// the Learner Credential Wallet and VerifierPlus load: VCDM 1.1/2.0, OB 3.0.x + extensions, DID, Data
// Integrity, status lists), with remote fetching off. With --base-url, documents under that URL (the issuing
// tool's own origin: its hosted contexts, status lists) are fetched over HTTP; nothing else ever is.
// Signature: @digitalbazaar/vc with the eddsa-rdfc-2022 suite (jsonld.js canonicalisation in safe mode).
// Status: every BitstringStatusListEntry is checked by fetching the list from the tool, verifying the list's own
// proof, and reading the bit (W3C Bitstring Status List §3.2, written from the spec).
// Prints one JSON line; exit code 0 = verified, 1 = not verified, 2 = usage/setup error.
import {readFileSync} from 'node:fs';
import {gunzipSync} from 'node:zlib';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {securityLoader} from '@digitalcredentials/security-document-loader';

const args = process.argv.slice(2);
const path = args[0];
const baseIndex = args.indexOf('--base-url');
const baseUrl = baseIndex >= 0 ? args[baseIndex + 1].replace(/\/+$/, '') + '/' : null;
if(!path || (baseIndex >= 0 && !baseUrl)) {
  console.error('usage: node verify.mjs <credential.json> [--base-url URL]');
  process.exit(2);
}

const standard = securityLoader({fetchRemoteContexts: false}).build();
const fetched = [];

async function fetchOwn(url) {
  const response = await fetch(url, {headers: {accept: 'application/ld+json, application/json'}});
  if(!response.ok) {
    throw new Error(`${url} answered ${response.status}`);
  }
  fetched.push(url);
  return response.json();
}

async function documentLoader(url) {
  if(baseUrl && url.startsWith(baseUrl)) {
    return {contextUrl: null, documentUrl: url, document: await fetchOwn(url)};
  }
  return standard(url);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});

function bitIsSet(encodedList, index) {
  // encodedList: multibase base64url ('u'), GZIP-compressed bitstring; bit 0 is the left-most bit.
  if(!encodedList.startsWith('u')) {
    throw new Error('encodedList is not multibase base64url');
  }
  const bits = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
  if(index >= bits.length * 8) {
    throw new Error(`statusListIndex ${index} is beyond the list`);
  }
  return ((bits[Math.floor(index / 8)] >> (7 - (index % 8))) & 1) === 1;
}

async function checkStatus({credential}) {
  const entries = [].concat(credential.credentialStatus || []);
  for(const entry of entries) {
    if(entry.type !== 'BitstringStatusListEntry') {
      return {verified: false, error: new Error(`unsupported status type ${entry.type}`)};
    }
    if(!baseUrl || !entry.statusListCredential.startsWith(baseUrl)) {
      return {verified: false, error: new Error(`status list ${entry.statusListCredential} is not on the tool`)};
    }
    const list = await fetchOwn(entry.statusListCredential);
    const listResult = await vc.verifyCredential({
      credential: list, suite, documentLoader, checkStatus: async () => ({verified: true})
    });
    if(!listResult.verified) {
      return {verified: false, error: new Error('the status list credential does not verify')};
    }
    const issuerOf = c => (typeof c.issuer === 'object' ? c.issuer.id : c.issuer);
    if(issuerOf(list) !== issuerOf(credential)) {
      return {verified: false, error: new Error('the status list has another issuer')};
    }
    const subject = list.credentialSubject;
    if(subject.statusPurpose !== entry.statusPurpose) {
      return {verified: false, error: new Error('status purpose differs from the list')};
    }
    if(bitIsSet(subject.encodedList, Number(entry.statusListIndex))) {
      return {verified: false, error: new Error(`credential ${entry.statusPurpose === 'revocation' ?
        'revoked' : 'suspended'} (bit ${entry.statusListIndex})`)};
    }
  }
  return {verified: true};
}

let credential;
try {
  credential = JSON.parse(readFileSync(path, 'utf8'));
} catch(e) {
  console.error(e.message);
  process.exit(2);
}
const hasStatus = Boolean(credential.credentialStatus);
const result = await vc.verifyCredential({
  credential, suite, documentLoader,
  // Without --base-url there is nowhere to read a status list from: only the signature is checked.
  checkStatus: baseUrl && hasStatus ? checkStatus : async () => ({verified: true})
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
if(result.statusResult && result.statusResult.error) {
  collect(result.statusResult.error);
}
console.log(JSON.stringify({
  verified: result.verified, errors, fetched,
  statusChecked: Boolean(baseUrl && hasStatus)
}));
process.exit(result.verified ? 0 : 1);
