// A Learner-Credential-Wallet-like client for tests, written from the Digital Credentials Consortium's
// documentation of its exchange (workflow-coordinator README, "Wallet Exchange") and the W3C CCG VC-API
// exchange protocol; it shares no code with the tool.
//   node lcw_wallet.mjs '<deep link>' [--two-step] [--wrong-challenge] [--foreign-signer]
// The deep link is https://lcw.app/request.html?issuer=…&auth_type=bearer&challenge=…&vc_request_url=….
// The wallet makes a did:key, signs a DIDAuth presentation (holder = its DID, proof purpose authentication,
// the challenge; eddsa-rdfc-2022) and POSTs it to vc_request_url; the answer is the credential issued to it.
// With --two-step it first POSTs {} there and takes the challenge from the Verifiable Presentation Request.
// Prints one JSON line {holder, status, body}; exit code 0 when the answer was 2xx.
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {securityLoader} from '@digitalcredentials/security-document-loader';

const [link, ...flags] = process.argv.slice(2);
const url = new URL(link);
if(url.origin + url.pathname !== 'https://lcw.app/request.html') {
  console.error('not a DCC deep link');
  process.exit(2);
}
const requestUrl = url.searchParams.get('vc_request_url');
let challenge = url.searchParams.get('challenge');
let domain;

async function post(target, body) {
  const response = await fetch(target, {
    method: 'POST', headers: {'content-type': 'application/json', accept: 'application/json'},
    body: JSON.stringify(body)
  });
  let parsed;
  try {
    parsed = await response.json();
  } catch(e) {
    parsed = null;
  }
  return {status: response.status, body: parsed};
}

if(flags.includes('--two-step')) {
  const started = await post(requestUrl, {});
  const vpr = started.body && started.body.verifiablePresentationRequest;
  const asksDidAuth = vpr && [].concat(vpr.query).some(q => q && q.type === 'DIDAuthentication');
  if(started.status !== 200 || !asksDidAuth) {
    console.log(JSON.stringify({holder: null, status: started.status, body: started.body}));
    process.exit(1);
  }
  challenge = vpr.challenge;
  domain = vpr.domain;
}
if(flags.includes('--wrong-challenge')) {
  challenge = 'not-the-challenge';
}

const key = await Ed25519Multikey.generate();
const holder = `did:key:${key.publicKeyMultibase}`;
key.controller = holder;
key.id = `${holder}#${key.publicKeyMultibase}`;
let signingKey = key;
if(flags.includes('--foreign-signer')) {
  // Signs with another key while naming the holder's method: the holder is not proven.
  const other = await Ed25519Multikey.generate();
  other.controller = holder;
  other.id = key.id;
  signingKey = other;
}
const suite = new DataIntegrityProof({signer: signingKey.signer(), cryptosuite});
const presentation = vc.createPresentation({holder, version: 2.0});
const documentLoader = securityLoader().build();
const didAuth = await vc.signPresentation({presentation, suite, challenge, domain, documentLoader});
const answer = await post(requestUrl, didAuth);
console.log(JSON.stringify({holder, status: answer.status, body: answer.body}));
process.exit(answer.status >= 200 && answer.status < 300 ? 0 : 1);
