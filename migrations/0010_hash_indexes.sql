-- Hash indexes for the columns only ever looked up by equality (issue 5, docs/decisions/0004 item 18).
--
-- A file's MD5 and SHA-1 are looked up when a library change re-matches existing files
-- (`referral_files.md5 = known_hashes.value`), and a document's SHA-256 identifies it; nothing orders
-- or ranges over them. A B-tree of 32-64 character hex strings is the widest index intake writes
-- into at random places; a hash index keeps a 4-byte hash per row (half the size) and inserts without
-- descending a tree: 2M inserts took 7.7-8.8 s instead of 13.2-17.2 s in one comparison. A hash
-- index also leaves out NULLs, which most files' SHA-1 are.
drop index referral_files_md5;
create index referral_files_md5 on referral_files using hash (md5);
drop index referral_files_sha1;
create index referral_files_sha1 on referral_files using hash (sha1);
drop index referral_documents_sha;
create index referral_documents_sha on referral_documents using hash (sha256);
