-- Trigram indexes serve the console's case-insensitive substring search ("Search keys").
CREATE EXTENSION IF NOT EXISTS pg_trgm;
