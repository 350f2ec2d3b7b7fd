-- The word summaries' primary key carries each row's count (INCLUDE), so that a text search's total
-- is read from the key alone. The rows of one word lie one or more a day in the heap, written day by
-- day by the roll-up: q=user42 over 29 days at 1M events summed 624 rows from 581 heap pages (7.4 ms
-- from disk, ~1 ms cached), and 94 pages of the key (0.27 ms). Past days' rows change only with an
-- erasure, so their pages stay all-visible once vacuumed and the scan reads no heap at all.
-- Rebuilds the key: about 1 s per million summary rows (~7M at 10M events); the roll-up waits meanwhile.
ALTER TABLE "audit_summary_words" DROP CONSTRAINT "audit_summary_words_day_word_lcp_pk";--> statement-breakpoint
ALTER TABLE "audit_summary_words" ADD CONSTRAINT "audit_summary_words_day_word_lcp_pk" PRIMARY KEY ("day", "word", "lcp") INCLUDE ("count");
