-- Word summaries for text search: per UTC day (as in audit_search_document) and word, the number
-- of events whose search document holds the word, with the word's lcp: the length of the prefix
-- it shares with the event's previous word in byte order (the order of tsvector_to_array). A search
-- for a prefix p counts the rows of its words with lcp < length(p): an event's words that start
-- with p are consecutive in that order, and only the first of them shares less than p with the
-- word before it, so every matching event counts once. The roll-up adds every event it rolls up
-- (audit_search_words splits them); erasure takes back the words it clears. Filled here from the
-- events rolled up so far, holding the roll-up state row so no roll-up runs in between: about
-- 10 s per million events.
CREATE TABLE "audit_summary_words" (
	"day" integer NOT NULL,
	"word" text COLLATE "C" NOT NULL,
	"lcp" integer NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "audit_summary_words_day_word_lcp_pk" PRIMARY KEY("day","word","lcp")
);
--> statement-breakpoint
CREATE FUNCTION audit_search_words(description text, error_message text, username text, resource_id text)
RETURNS TABLE (word text, lcp integer) LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  previous text := '';
  shared integer;
BEGIN
  FOREACH word IN ARRAY tsvector_to_array(to_tsvector('simple',
      coalesce(description, '') || ' ' || coalesce(error_message, '') || ' ' || coalesce(username, '') || ' ' || coalesce(resource_id, ''))) LOOP
    shared := 0;
    WHILE shared < length(word) AND shared < length(previous)
          AND substr(word, shared + 1, 1) = substr(previous, shared + 1, 1) LOOP
      shared := shared + 1;
    END LOOP;
    lcp := shared;
    previous := word;
    RETURN NEXT;
  END LOOP;
END
$$;--> statement-breakpoint
SELECT 1 FROM "audit_rollup_state" WHERE "id" = 1 FOR UPDATE;--> statement-breakpoint
INSERT INTO "audit_summary_words" ("day", "word", "lcp", "count")
SELECT (("timestamp" AT TIME ZONE 'UTC')::date - date '2000-01-01'), w.word, w.lcp, count(*)
FROM "audit_logs" a, audit_search_words(a.description, a.error_message, a.username, a.resource_id) w
WHERE a.tx_id < (SELECT rolled_up_before_tx FROM "audit_rollup_state" WHERE id = 1)
  AND a."timestamp" > '-infinity' AND a."timestamp" < 'infinity'
GROUP BY 1, 2, 3;
