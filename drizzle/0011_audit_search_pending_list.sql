-- The text search index's pending list: new entries wait there (unsorted) until it holds
-- gin_pending_list_limit, and every search reads all of it. At 256 kB (about 32 pages, up to
-- ~1,300 events) a 30-day search on 1M events spent up to 2.8 ms in it (21 pending pages: 9.3 ms
-- against 6.5 ms right after a flush); 64 kB, PostgreSQL's minimum, caps that at about 0.7 ms.
-- Entries are still merged into the index in batches, only four times as often: 4,000 single-row
-- inserts took 159–271 ms against 161–234 ms at 256 kB (noise on this machine), and the bench's
-- ingest ratio was 0.47× against 0.45×. No rebuild: the setting applies from the next insert.
ALTER INDEX "audit_logs_search_idx" SET (gin_pending_list_limit = 64);
