"""Organisations as issuers: their signing keys, DID documents and the signer built from them."""
