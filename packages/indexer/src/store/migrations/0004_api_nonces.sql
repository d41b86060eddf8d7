-- State of the API, not of the chain (so not rebuilt from it, and not in the indexer's digest): the
-- nonces of signed requests the API has accepted (evidence uploads, restricted reads), so that a
-- request is never accepted twice, whichever API process behind a load balancer gets it. A nonce is
-- kept until its request's timestamp has left the ±300 s window (expires_at, unix seconds, with a
-- margin for clocks that differ between processes); after that a replay is refused as expired.
create table api_nonces (nonce bytea primary key, signer bytea not null, expires_at bigint not null);
create index api_nonces_expires on api_nonces (expires_at);
