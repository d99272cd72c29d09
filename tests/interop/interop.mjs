// Interop harness: Digital Bazaar's VC libraries sign and verify credentials, fully offline.
//
//   node interop.mjs verify < {"credential": {...}, "documents": {"did:web:...": {...}},
//                              "statusFrom": "http://127.0.0.1:PORT/" (optional)}
//     prints {"verified": bool, "error": string|null, "status": [{purpose, index, set}]|null}
//     With statusFrom, Digital Bazaar's @digitalbazaar/vc-bitstring-status-list checks every
//     credentialStatus entry (the status list credential is fetched over HTTP, from that
//     loopback prefix only, and verified); without it any status entry is accepted.
//   node interop.mjs unbake < {"png": base64} or {"svg": text}
//     prints {"text": the baked credential text, "chunk"|"namespace": how it was baked}: PNG
//     chunks are read by png-chunks-extract (CRC checked) and the iTXt fields split here;
//     SVG is parsed by @xmldom/xmldom and the element found by its namespace
//   node interop.mjs validate < {"schema": {...}, "documents": [...]}
//     prints, per document, the ajv (draft 2019-09, formats on, strict) errors: [] when valid
//   node interop.mjs verify-many < {"credentials": [...], "documents": {...}}
//     prints a list of such results
//   node interop.mjs sign < {"credential", "cryptosuite", "created", "verificationMethod",
//                            "controller", "publicKeyMultibase", "secretKeyMultibase"}
//     prints the signed credential
//
// JSON-LD contexts come from Certmint's bundled copies (src/certmint/credentials/data/contexts),
// DID documents from the input, status lists from the loopback prefix given; any other URL is
// an error, never a network fetch.
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import {DOMParser} from '@xmldom/xmldom';
import extractPngChunks from 'png-chunks-extract';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as rdfcSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {
  createSignCryptosuite as createJcsSignSuite,
  createVerifyCryptosuite as createJcsVerifySuite
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';

const here = dirname(fileURLToPath(import.meta.url));
const contextsDir = join(here, '..', '..', 'src', 'certmint', 'credentials', 'data', 'contexts');
const index = JSON.parse(readFileSync(join(contextsDir, 'index.json'), 'utf8'));

function makeDocumentLoader(documents = {}, statusFrom = null) {
  return async url => {
    if(statusFrom && /^http:\/\/127\.0\.0\.1:\d+\//.test(statusFrom) &&
      url.startsWith(statusFrom)) {
      const response = await fetch(url);
      if(!response.ok) {
        throw new Error(`${url}: HTTP ${response.status}`);
      }
      return {contextUrl: null, documentUrl: url, document: await response.json()};
    }
    if(index[url]) {
      const document = JSON.parse(readFileSync(join(contextsDir, index[url].file), 'utf8'));
      return {contextUrl: null, documentUrl: url, document};
    }
    const [base, fragment] = url.split('#');
    const didDocument = documents[base];
    if(didDocument) {
      if(!fragment) {
        return {contextUrl: null, documentUrl: url, document: didDocument};
      }
      const method = (didDocument.verificationMethod || []).find(
        m => m.id === url || m.id === `#${fragment}`);
      if(method) {
        return {
          contextUrl: null, documentUrl: url,
          document: {'@context': didDocument['@context'], ...method}
        };
      }
    }
    throw new Error(`interop document loader: ${url} is not available offline`);
  };
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function verify({credential, documents, statusFrom = null}) {
  const documentLoader = makeDocumentLoader(documents, statusFrom);
  const suite = [
    new DataIntegrityProof({cryptosuite: rdfcSuite}),
    new DataIntegrityProof({cryptosuite: createJcsVerifySuite()})
  ];
  // With statusFrom: Digital Bazaar's status check, which verifies the list credential too.
  const checkStatus = statusFrom ? checkBitstringStatus : async () => ({verified: true});
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  const error = result.error ?
    (result.error.errors || [result.error]).map(e => e.message).join('; ') :
    (result.statusResult && result.statusResult.error ?
      result.statusResult.error.message : null);
  const status = result.statusResult && result.statusResult.results ?
    result.statusResult.results.map(r => ({
      purpose: r.credentialStatus.statusPurpose,
      index: r.credentialStatus.statusListIndex,
      set: r.status
    })) : null;
  return {verified: result.verified, error, status};
}

function validate({schema, documents}) {
  const ajv = new Ajv2019({allErrors: true});
  addFormats(ajv);
  const check = ajv.compile(schema);
  return documents.map(document => check(document) ? [] : check.errors);
}

// iTXt: keyword NUL flag method language NUL translated NUL text (PNG spec § 11.3.4.5).
function readItxt(data) {
  const nul = data.indexOf(0);
  const keyword = Buffer.from(data.subarray(0, nul)).toString('latin1');
  const compression = data[nul + 1];
  const languageEnd = data.indexOf(0, nul + 3);
  const translatedEnd = data.indexOf(0, languageEnd + 1);
  const text = Buffer.from(data.subarray(translatedEnd + 1)).toString('utf8');
  return {keyword, compression, text};
}

function unbake({png, svg}) {
  if(png) {
    const chunks = extractPngChunks(Buffer.from(png, 'base64'));
    const baked = chunks.filter(c => c.name === 'iTXt').map(c => readItxt(c.data))
      .filter(c => c.keyword === 'openbadgecredential');
    return {text: baked[0].text, chunk: {count: baked.length, compression: baked[0].compression,
      afterIhdr: chunks[1].name === 'iTXt'}};
  }
  const document = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const namespace = 'https://purl.imsglobal.org/ob/v3p0';
  const found = document.getElementsByTagNameNS(namespace, 'credential');
  const root = document.documentElement;
  return {
    text: found[0].textContent,
    namespace: {
      count: found.length,
      declared: root.getAttribute('xmlns:openbadges'),
      first: root.firstChild && root.firstChild.namespaceURI === namespace
    }
  };
}

async function sign(input) {
  const keyPair = await Ed25519Multikey.from({
    id: input.verificationMethod,
    controller: input.controller,
    publicKeyMultibase: input.publicKeyMultibase,
    secretKeyMultibase: input.secretKeyMultibase
  });
  const cryptosuite = input.cryptosuite === 'eddsa-jcs-2022' ?
    createJcsSignSuite() : rdfcSuite;
  const suite = new DataIntegrityProof({
    signer: keyPair.signer(), date: input.created, cryptosuite
  });
  return vc.issue({
    credential: input.credential, suite, documentLoader: makeDocumentLoader(input.documents)
  });
}

const command = process.argv[2];
const input = await readStdin();
let output;
if(command === 'verify') {
  output = await verify(input);
} else if(command === 'verify-many') {
  output = [];
  for(const credential of input.credentials) {
    output.push(await verify({credential, documents: input.documents}));
  }
} else if(command === 'unbake') {
  output = unbake(input);
} else if(command === 'validate') {
  output = validate(input);
} else if(command === 'sign') {
  output = await sign(input);
} else {
  console.error('usage: node interop.mjs verify|verify-many|unbake|validate|sign < input.json');
  process.exit(2);
}
process.stdout.write(JSON.stringify(output));
