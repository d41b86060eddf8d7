-- The interior nodes of levels 1 to 3 are no longer stored: readers fold each from the 2 to 8 leaf
-- hashes under it (proofs/storedTree.ts, LOWEST_STORED_LEVEL). They were seven rows in eight of
-- this table, written with every entry. Removing them changes no proof and no root.
delete from tree_nodes where level between 1 and 3;
