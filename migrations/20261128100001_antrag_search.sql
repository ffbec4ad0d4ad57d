-- The search box of the Anträge list, defined once: the list, the tab counts and the export
-- all call it, so they can never disagree about which Anträge match. `needle` is the
-- lower-cased, LIKE-escaped search text, or null for no search. A plain SQL function, so
-- the planner inlines it.
create function kammer_antrag_matches(
    needle text, nr bigint, betriebsnummer text, betrieb_search_text text,
    requester_name text, requester_email text
) returns boolean
    language sql immutable parallel safe
    return needle is null
        or betrieb_search_text like '%' || needle || '%'
        or lower(requester_name || ' ' || requester_email) like '%' || needle || '%'
        or betriebsnummer like needle || '%'
        or nr::text = needle;
