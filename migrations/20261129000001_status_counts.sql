-- The queue's counts per status, without a filter, as the desk shows them on every visit and
-- every change: counting five million Anträge each time takes half a second and more.
--
-- A statement-level trigger appends what each statement changed (+n for the new status, -n for
-- the old) instead of updating one row per status: an update would make every status change
-- in the chamber wait for the one before it to commit, and two transactions changing statuses
-- in different orders would deadlock. Readers sum the rows; `kammer_compact_status_counts()`
-- folds them into one row per status now and then.
create table antrag_status_counts (
    id      bigint generated always as identity primary key,
    status  text not null,
    n       bigint not null
);

create function kammer_count_antraege() returns trigger
language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        insert into antrag_status_counts (status, n)
        select status, count(*) from new_rows group by status;
    elsif tg_op = 'UPDATE' then
        insert into antrag_status_counts (status, n)
        select status, sum(delta)
        from (select status, 1 as delta from new_rows
              union all
              select status, -1 from old_rows) changes
        group by status
        having sum(delta) <> 0;
    elsif tg_op = 'DELETE' then
        insert into antrag_status_counts (status, n)
        select status, -count(*) from old_rows group by status;
    end if;
    return null;
end
$$;

create trigger antraege_count_insert after insert on antraege
    referencing new table as new_rows
    for each statement execute function kammer_count_antraege();
create trigger antraege_count_update after update on antraege
    referencing old table as old_rows new table as new_rows
    for each statement execute function kammer_count_antraege();
create trigger antraege_count_delete after delete on antraege
    referencing old table as old_rows
    for each statement execute function kammer_count_antraege();

create function kammer_forget_status_counts() returns trigger
language plpgsql as $$
begin
    delete from antrag_status_counts;
    return null;
end
$$;

create trigger antraege_count_truncate after truncate on antraege
    for each statement execute function kammer_forget_status_counts();

-- Counts everything again, in one statement (one snapshot): for the migration and for bulk
-- loads that run without triggers (`session_replication_role = replica` in the demo seed).
create function kammer_recount_status_counts() returns void
language sql as $$
    with forgotten as (delete from antrag_status_counts)
    insert into antrag_status_counts (status, n)
    select status, count(*) from antraege group by status;
$$;

-- Folds the appended rows into one per status. One statement, so a change committed meanwhile
-- is either in the sum or still its own row, never both; a second compaction at the same time
-- waits for the first and then finds only what the first did not take.
create function kammer_compact_status_counts() returns void
language sql as $$
    with folded as (delete from antrag_status_counts returning status, n)
    insert into antrag_status_counts (status, n)
    select status, sum(n) from folded group by status having sum(n) <> 0;
$$;

select kammer_recount_status_counts();

grant select, insert, delete on antrag_status_counts to kammer_app;
grant usage on sequence antrag_status_counts_id_seq to kammer_app;
