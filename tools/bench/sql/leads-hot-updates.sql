-- Schema experiment for `npm run bench:pipeline -- --sql tools/bench/sql/leads-hot-updates.sql`
-- (BENCHMARKS.md, "tried, not kept"): the validator's update of a lead changes its status and
-- score, which three indexes cover, so no update can be HOT (heap-only, without index entries).
-- Without those indexes and with room left in each page, some can. Not for production: the lead
-- list's filters by status and score use these indexes.
DROP INDEX leads_status_received_at_idx;
DROP INDEX leads_score_received_at_id_idx;
DROP INDEX leads_import_id_status_idx;
ALTER TABLE leads SET (fillfactor = 70);
