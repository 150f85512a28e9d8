-- One- and two-character pieces of a lower-cased key name, for the searches pg_trgm cannot
-- index (a trigram index has nothing to look up for "pr" or "%"). A GIN index over
-- keyward_name_grams(name) finds the names holding every piece keyward_search_grams(q) gives;
-- the query then checks the substring itself. plpgsql: a SQL-language body with a subquery
-- is five times slower per row, and this runs on every insert and rename.
CREATE FUNCTION keyward_name_grams(name text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  s text := lower(name);
  grams text[] := string_to_array(s, NULL);
BEGIN
  FOR i IN 1 .. char_length(s) - 1 LOOP
    grams := grams || substr(s, i, 2);
  END LOOP;
  RETURN grams;
END
$$;
--> statement-breakpoint
-- The pieces a search needs: its two-character pieces, or the one character it is.
CREATE FUNCTION keyward_search_grams(q text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  s text := lower(q);
  grams text[] := '{}';
BEGIN
  IF char_length(s) < 2 THEN
    RETURN ARRAY[s];
  END IF;
  FOR i IN 1 .. char_length(s) - 1 LOOP
    grams := grams || substr(s, i, 2);
  END LOOP;
  RETURN grams;
END
$$;
