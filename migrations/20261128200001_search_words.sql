-- Scale (issue 6): the Suche stays fast at every German chamber's Betriebe at once.
--
-- The trigram search over the whole haystack had to score and sort every Betrieb that
-- shares trigrams with the query: at a million Betriebe a common surname matched tens of
-- thousands of rows (p99 above one second). Now the haystack is split into normalised
-- words, kept in a tsvector with a GIN index, and typos are forgiven by looking the query's
-- words up in a small dictionary of all words that occur (trigram index), not in the
-- Betriebe themselves. A query then touches only the Betriebe that contain its words.

-- Lower case, umlauts and ß written out (so "Müller", "Mueller" and the "mueller" of an
-- e-mail address are one word), split at blanks and punctuation. Used for the Betriebe and
-- for the query alike.
create function kammer_search_words(haystack text) returns text[]
    language sql immutable strict parallel safe
    return array_remove(regexp_split_to_array(
        replace(replace(replace(replace(lower(haystack), 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'ß', 'ss'),
        '[[:space:][:punct:]]+'), '');

alter table betriebe add column search_words tsvector generated always as
    (array_to_tsvector(kammer_search_words(firmenname || ' ' || inhaber || ' ' || email))) stored;
create index betriebe_search_words on betriebe using gin (search_words);

-- Every word that occurs in a Betrieb's name, Inhaber or e-mail address: the vocabulary the
-- typo-tolerant part of the Suche matches against. Words are only added (a word that no
-- longer occurs finds nothing, which is harmless).
create table search_dictionary (
    word text primary key
);
create index search_dictionary_trgm on search_dictionary using gin (word gin_trgm_ops);
insert into search_dictionary (word)
select distinct unnest(tsvector_to_array(search_words)) from betriebe
on conflict do nothing;

create function kammer_search_dictionary_add() returns trigger language plpgsql as $$
begin
    insert into search_dictionary (word)
    select unnest(tsvector_to_array(new.search_words))
    on conflict do nothing;
    return null;
end
$$;
create trigger betriebe_search_dictionary after insert or update of firmenname, inhaber, email on betriebe
    for each row execute function kammer_search_dictionary_add();

grant select, insert on search_dictionary to kammer_app;
