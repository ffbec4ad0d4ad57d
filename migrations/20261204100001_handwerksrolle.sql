-- The Handwerksrolle feeds KammerDesk: the chamber's master-data export is staged in a
-- temporary table (COPY) and merged by one function, granted to the import service and to
-- the administration. What a change means for live codes and open Anträge happens here, in
-- the same transaction, so no desk and no import client can leave it half done.
--
-- Flow of one import (kammer-core's handwerksrolle module), in one transaction:
--   1. kammer_api.handwerksrolle_stage()        creates pg_temp.handwerksrolle_staging
--   2. COPY pg_temp.handwerksrolle_staging FROM STDIN
--   3. kammer_api.handwerksrolle_changes(full)  the diff, line by line (dry run and apply)
--   4. kammer_api.handwerksrolle_apply(...)     counts; refuses or merges; a dry run rolls back

-- The owner creates the staging and plan tables inside the import functions; nobody else
-- may create temporary objects. An importer who could would put a view or a function named
-- like the plan into pg_temp, and the functions would run it as the owner.
do $$
begin
    execute format('grant temporary on database %I to kammer_owner', current_database());
    execute format('revoke temporary on database %I from kammer_import, kammer_admin', current_database());
end
$$;

-- ---------------------------------------------------------------- tables

-- One row per applied import: what came in and what it did.
create table handwerksrolle_imports (
    id                bigint generated always as identity primary key,
    at                timestamptz not null default now(),
    login             text not null default session_user,
    clerk_id          bigint references clerks (id),
    file_name         text not null check (char_length(file_name) between 1 and 500),
    file_sha256       text not null check (file_sha256 ~ '^[0-9a-f]{64}$'),
    mode              text not null check (mode in ('full', 'delta')),
    rows_in_file      integer not null,
    created           integer not null,
    changed           integer not null,
    email_changed     integer not null,
    removed           integer not null,
    unchanged         integer not null,
    skipped           integer not null,
    codes_retired     integer not null default 0,
    antraege_closed   integer not null default 0
);
create index handwerksrolle_imports_at on handwerksrolle_imports (at desc, id desc);
-- Tables and indexes in public are created by the migration's superuser (the owner may not
-- create there); the owner owns them.
alter table handwerksrolle_imports owner to kammer_owner;

-- Gelöscht in der Handwerksrolle: the row stays, because Anträge, Zuordnungen and the audit
-- log point at it. import_id: the last import that changed the Betrieb or (delta) named it.
alter table betriebe add column geloescht_am date;
alter table betriebe add column import_id bigint references handwerksrolle_imports (id);
create index betriebe_geloescht on betriebe (geloescht_am) where geloescht_am is not null;

-- Why a code stopped being usable before it was used (the mail's cancel_reason says it only
-- for a mail that had not gone out yet).
alter table confirmation_codes add column retire_reason text
    check (retire_reason in ('superseded', 'decided', 'expired', 'address_changed'));

set local role kammer_owner;

grant select on handwerksrolle_imports to kammer_reader;
grant select (retire_reason) on confirmation_codes to kammer_reader;

-- ---------------------------------------------------------------- one rule, one place

-- An e-mail address as KammerDesk accepts it, for the portal's accounts and the Handwerksrolle.
create function kammer_internal.is_email(p_email text) returns boolean
language sql immutable
return p_email is not null and p_email <> '' and char_length(p_email) <= 254
    and p_email !~ '[[:space:][:cntrl:]<>(),;:"\[\]\\]' and p_email ~ '^[^@]+@[^@]+\.[^@]+$';

create or replace function kammer_internal.check_email(p_email text) returns text
language plpgsql
as $$
declare
    v text := btrim(p_email);
begin
    if not kammer_internal.is_email(v) then
        perform kammer_internal.refuse('KD422', 'email_invalid', jsonb_build_object('email', left(v, 254)));
    end if;
    return v;
end
$$;

-- Retiring a code now records why, for the desk's „neuer Code nötig“.
create or replace function kammer_internal.retire_live_code(p_nr bigint, p_why text) returns void
language plpgsql
as $$
begin
    with cancelled as (
        update mail_outbox set status = 'cancelled', cancel_reason = p_why
        where antrag_nr = p_nr and status = 'queued'
        returning id
    )
    delete from kammer_secret.code_plaintext s using cancelled c where s.outbox_id = c.id;
    update confirmation_codes set superseded_at = now(), retire_reason = p_why
    where antrag_nr = p_nr and consumed_at is null and superseded_at is null;
end
$$;

-- The import is the administration's right (kammer-core's Permission::ImportHandwerksrolle).
create or replace function kammer_internal.permission_group(p_permission text) returns text
language sql immutable
return case p_permission
    when 'lookup' then 'kammer_hotline'
    when 'handle_codes' then 'kammer_hotline'
    when 'withdraw_on_behalf' then 'kammer_hotline'
    when 'approve' then 'kammer_sachbearbeitung'
    when 'reject' then 'kammer_sachbearbeitung'
    when 'revoke_zuordnung' then 'kammer_sachbearbeitung'
    when 'export' then 'kammer_sachbearbeitung'
    when 'manage_clerks' then 'kammer_admin'
    when 'manage_policy' then 'kammer_admin'
    when 'read_outbox' then 'kammer_admin'
    when 'import_handwerksrolle' then 'kammer_admin'
end;

-- No new Antrag for a Betrieb the Handwerksrolle no longer lists, whoever inserts it.
create function kammer_internal.refuse_antrag_for_geloeschten_betrieb() returns trigger
language plpgsql
as $$
declare
    v betriebe;
begin
    -- FOR SHARE: an import changing this Betrieb right now is waited for, then seen.
    select * into v from betriebe where id = new.betrieb_id for share;
    if v.geloescht_am is not null then
        perform kammer_internal.refuse('KD422', 'betrieb_geloescht',
            jsonb_build_object('betriebsnummer', v.betriebsnummer, 'geloescht_am', v.geloescht_am));
    end if;
    return new;
end
$$;
create trigger antraege_betrieb_not_geloescht before insert on antraege
    for each row execute function kammer_internal.refuse_antrag_for_geloeschten_betrieb();

-- Issues a fresh code for an Antrag (as in 20261204000002, now reading the Betrieb FOR SHARE: an
-- import changing its address is waited for, so no code goes to an address being replaced): 256 bits from the server's CSPRNG, stored as SHA-256
-- and a six-character prefix; the plaintext goes only where the mail sender reads it. The
-- mail goes to the Betrieb's address on file, read here, never passed in.
create or replace function kammer_internal.issue_code(
    p_nr bigint, p_issued_by bigint, p_reason text,
    out o_code_id bigint, out o_outbox_id bigint, out o_prefix text, out o_expires_at timestamptz, out o_sent_to text
)
language plpgsql
as $$
declare
    v record;
    v_policy policy;
    v_code text := encode(gen_random_bytes(32), 'hex');
    v_domain text;
begin
    select b.betriebsnummer, b.firmenname, b.email as betrieb_email, acc.name as requester_name,
           acc.email as requester_email
    into v
    from antraege a join betriebe b on b.id = a.betrieb_id join accounts acc on acc.id = a.account_id
    where a.nr = p_nr
    for share of b;
    if not found then
        perform kammer_internal.refuse('KD404', 'antrag_not_found', jsonb_build_object('nr', p_nr));
    end if;
    perform kammer_internal.retire_live_code(p_nr, 'superseded');
    select * into v_policy from policy;
    o_expires_at := now() + make_interval(days => v_policy.code_lifetime_days);
    o_prefix := left(v_code, 6);
    o_sent_to := v.betrieb_email;
    v_domain := coalesce(nullif(split_part(v_policy.mail_from, '@', 2), ''), 'kammerdesk.invalid');
    insert into mail_outbox (purpose, antrag_nr, message_id, mail_from, recipient, facts)
    values ('confirmation_code', p_nr,
            format('<antrag-%s.%s@%s>', p_nr, encode(gen_random_bytes(12), 'hex'), v_domain),
            v_policy.mail_from, v.betrieb_email,
            jsonb_build_object(
                'antrag_nr', p_nr, 'betriebsnummer', v.betriebsnummer, 'firmenname', v.firmenname,
                'requester_name', v.requester_name, 'requester_email', v.requester_email,
                'valid_until', o_expires_at, 'chamber_name', v_policy.chamber_name,
                'hotline_phone', v_policy.hotline_phone, 'portal_url', v_policy.portal_url))
    returning id into o_outbox_id;
    insert into kammer_secret.code_plaintext (outbox_id, code) values (o_outbox_id, v_code);
    insert into confirmation_codes (antrag_nr, code_hash, prefix, sent_to, outbox_id, expires_at, issued_by, issue_reason)
    values (p_nr, sha256(convert_to(v_code, 'UTF8')), o_prefix, v.betrieb_email, o_outbox_id, o_expires_at,
            p_issued_by, p_reason)
    returning id into o_code_id;
end
$$;

-- ---------------------------------------------------------------- who imports

-- The import service (system) or an administrator (clerk); everyone else is refused.
create function kammer_internal.acting_importer(out o_actor_kind text, out o_clerk_id bigint)
language plpgsql stable
as $$
begin
    if not (select rolsuper from pg_roles where rolname = session_user)
       and pg_has_role(session_user, 'kammer_import', 'MEMBER') then
        o_actor_kind := 'system';
        return;
    end if;
    o_clerk_id := (kammer_internal.acting_clerk('import_handwerksrolle')).id;
    o_actor_kind := 'clerk';
end
$$;

-- ---------------------------------------------------------------- staging and plan

-- Whether pg_temp.<p_name> is a table the owner made in this session (and not something the
-- caller put there under that name): the import functions use nothing else.
create function kammer_internal.own_temp_table(p_name text) returns boolean
language sql stable
return exists (
    select 1 from pg_class c
    where c.oid = to_regclass('pg_temp.' || p_name) and c.relkind = 'r' and c.relpersistence = 't'
      and c.relowner = (select r.oid from pg_roles r where r.rolname = 'kammer_owner'));

-- Drops the session's staging and plan tables, refusing anything the owner did not make.
create function kammer_internal.drop_import_tables() returns void
language plpgsql
as $$
declare
    t text;
begin
    foreach t in array array['handwerksrolle_plan', 'handwerksrolle_staging'] loop
        if to_regclass('pg_temp.' || t) is not null then
            if not kammer_internal.own_temp_table(t) then
                perform kammer_internal.refuse('KD403', 'handwerksrolle_staging_forged');
            end if;
            execute format('drop table pg_temp.%I', t);
        end if;
    end loop;
end
$$;

-- Step 1: the session's staging table, into which the client COPYs the file's rows. The
-- reader's own problems with a line (an unreadable Löschdatum) come along in `problem`.
create function kammer_api.handwerksrolle_stage() returns void
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
begin
    perform kammer_internal.acting_importer();
    -- One import at a time: a second waits until the first has committed or rolled back,
    -- so its diff is taken against what the first left (also for a dry run). A lock no
    -- reader can take, so no other login can hold imports up.
    lock table handwerksrolle_imports in share row exclusive mode;
    perform kammer_internal.drop_import_tables();
    create temp table handwerksrolle_staging (
        line            bigint not null,
        betriebsnummer  text not null,
        firmenname      text not null,
        inhaber         text not null,
        strasse         text not null,
        plz             text not null,
        ort             text not null,
        gewerk          text not null,
        email           text not null,
        hauptsitz       text,
        loeschdatum     date,
        problem         text
    ) on commit drop;
    execute format('grant insert on pg_temp.handwerksrolle_staging to %I', session_user);
end
$$;

-- The diff of the staged file against the Betriebe, once per transaction: every line as
-- new, changed, removed (Löschdatum), unchanged or invalid with its reason; for a full
-- snapshot also every Betrieb the file no longer names (removed, line null). The rules of a
-- valid line live here and nowhere else.
create function kammer_internal.handwerksrolle_plan(p_full boolean) returns void
language plpgsql
as $$
begin
    if to_regclass('pg_temp.handwerksrolle_plan') is not null then
        if not kammer_internal.own_temp_table('handwerksrolle_plan') then
            perform kammer_internal.refuse('KD403', 'handwerksrolle_staging_forged');
        end if;
        -- A full snapshot's plan holds its removals, a delta's none: the mode cannot change.
        if exists (select 1 from pg_temp.handwerksrolle_plan p where p.full_mode <> p_full) then
            perform kammer_internal.refuse('KD409', 'handwerksrolle_mode_changed');
        end if;
        return;
    end if;
    if to_regclass('pg_temp.handwerksrolle_staging') is null then
        perform kammer_internal.refuse('KD422', 'handwerksrolle_not_staged');
    end if;
    if not kammer_internal.own_temp_table('handwerksrolle_staging') then
        perform kammer_internal.refuse('KD403', 'handwerksrolle_staging_forged');
    end if;
    create index on pg_temp.handwerksrolle_staging (betriebsnummer);
    analyze pg_temp.handwerksrolle_staging;
    create temp table handwerksrolle_plan on commit drop as
    with dups as (
        select s.betriebsnummer, string_agg(s.line::text, ', ' order by s.line) as lines
        from pg_temp.handwerksrolle_staging s group by s.betriebsnummer having count(*) > 1
    ),
    checked as (
        select s.*, b.id as betrieb_id,
            case
                when s.problem is not null then 'unreadable'
                when s.betriebsnummer !~ '^[0-9]{4,12}$' then 'betriebsnummer_invalid'
                when s.firmenname = '' then 'firmenname_missing'
                when s.email = '' then 'email_missing'
                when not kammer_internal.is_email(s.email) then 'email_invalid'
                when d.betriebsnummer is not null then 'duplicate'
                when s.hauptsitz = s.betriebsnummer then 'hauptsitz_self'
                when s.hauptsitz is not null and hf.line is null
                     and (p_full or hb.id is null or hb.geloescht_am is not null) then 'hauptsitz_missing'
                when s.hauptsitz is not null and case when hf.line is not null then hf.hauptsitz is not null
                                                      else hb.hauptsitz_id is not null end then 'hauptsitz_is_filiale'
                -- A Hauptsitz whose Filialen would keep pointing at it cannot become a Filiale
                -- (no chains): each must be re-pointed or gelöscht in this file, or (full
                -- snapshot) be missing from it.
                when s.hauptsitz is not null and b.id is not null and exists (
                    select 1 from betriebe f
                    where f.hauptsitz_id = b.id and f.geloescht_am is null
                      and not exists (select 1 from pg_temp.handwerksrolle_staging fs
                                      where fs.betriebsnummer = f.betriebsnummer
                                        and (fs.hauptsitz is distinct from s.betriebsnummer or fs.loeschdatum is not null))
                      and (not p_full or exists (select 1 from pg_temp.handwerksrolle_staging fs
                                                 where fs.betriebsnummer = f.betriebsnummer))) then 'has_filialen'
            end as reason,
            case when s.problem is not null then s.problem when d.betriebsnummer is not null then d.lines end as detail,
            b.firmenname as old_firmenname, b.inhaber as old_inhaber, b.strasse as old_strasse, b.plz as old_plz,
            b.ort as old_ort, b.gewerk as old_gewerk, b.email as old_email, bh.betriebsnummer as old_hauptsitz,
            b.geloescht_am as old_geloescht_am
        from pg_temp.handwerksrolle_staging s
        left join dups d on d.betriebsnummer = s.betriebsnummer
        left join dups dh on dh.betriebsnummer = s.hauptsitz
        left join pg_temp.handwerksrolle_staging hf on hf.betriebsnummer = s.hauptsitz and dh.betriebsnummer is null
        left join betriebe hb on hb.betriebsnummer = s.hauptsitz
        left join betriebe b on b.betriebsnummer = s.betriebsnummer and d.betriebsnummer is null
        left join betriebe bh on bh.id = b.hauptsitz_id
    )
    select p_full as full_mode, c.line, c.betrieb_id, c.betriebsnummer, c.firmenname, c.inhaber, c.strasse, c.plz, c.ort, c.gewerk,
        c.email, c.hauptsitz, c.loeschdatum, c.reason, c.detail,
        case
            when c.reason is not null then 'invalid'
            when c.betrieb_id is null then 'new'
            when c.loeschdatum is not null and c.old_geloescht_am is null then 'removed'
            when (c.old_firmenname, c.old_inhaber, c.old_strasse, c.old_plz, c.old_ort, c.old_gewerk, c.old_email,
                  c.old_hauptsitz, c.old_geloescht_am)
                 is distinct from (c.firmenname, c.inhaber, c.strasse, c.plz, c.ort, c.gewerk, c.email,
                  c.hauptsitz, c.loeschdatum) then 'changed'
            else 'unchanged'
        end as kind,
        c.betrieb_id is not null and lower(c.old_email) is distinct from lower(c.email) as email_changed,
        case when c.betrieb_id is not null and c.reason is null then jsonb_strip_nulls(jsonb_build_object(
            'firmenname', case when c.old_firmenname is distinct from c.firmenname then jsonb_build_array(c.old_firmenname, c.firmenname) end,
            'inhaber', case when c.old_inhaber is distinct from c.inhaber then jsonb_build_array(c.old_inhaber, c.inhaber) end,
            'strasse', case when c.old_strasse is distinct from c.strasse then jsonb_build_array(c.old_strasse, c.strasse) end,
            'plz', case when c.old_plz is distinct from c.plz then jsonb_build_array(c.old_plz, c.plz) end,
            'ort', case when c.old_ort is distinct from c.ort then jsonb_build_array(c.old_ort, c.ort) end,
            'gewerk', case when c.old_gewerk is distinct from c.gewerk then jsonb_build_array(c.old_gewerk, c.gewerk) end,
            'email', case when c.old_email is distinct from c.email then jsonb_build_array(c.old_email, c.email) end,
            'hauptsitz', case when c.old_hauptsitz is distinct from c.hauptsitz then jsonb_build_array(c.old_hauptsitz, c.hauptsitz) end,
            'loeschdatum', case when c.old_geloescht_am is distinct from c.loeschdatum then jsonb_build_array(c.old_geloescht_am, c.loeschdatum) end
        )) else '{}'::jsonb end as changes
    from checked c;
    -- A Filiale whose Hauptsitz line is itself invalid would point at nothing.
    update pg_temp.handwerksrolle_plan p set kind = 'invalid', reason = 'hauptsitz_invalid', detail = h.line::text
    from pg_temp.handwerksrolle_plan h
    where p.kind <> 'invalid' and p.hauptsitz is not null and h.betriebsnummer = p.hauptsitz and h.kind = 'invalid';
    if p_full then
        -- What a full snapshot no longer names has been removed from the Handwerksrolle today.
        insert into pg_temp.handwerksrolle_plan (full_mode, line, betrieb_id, betriebsnummer, firmenname, inhaber,
            strasse, plz, ort, gewerk, email, hauptsitz, loeschdatum, kind, email_changed, changes)
        select true, null, b.id, b.betriebsnummer, b.firmenname, b.inhaber, b.strasse, b.plz, b.ort, b.gewerk, b.email,
            h.betriebsnummer, current_date, 'removed', false,
            jsonb_build_object('loeschdatum', jsonb_build_array(null, current_date))
        from betriebe b left join betriebe h on h.id = b.hauptsitz_id
        where b.geloescht_am is null
          and not exists (select 1 from pg_temp.handwerksrolle_staging s where s.betriebsnummer = b.betriebsnummer);
    end if;
end
$$;

-- Step 3: what the import would change, line by line (unchanged lines left out).
create function kammer_api.handwerksrolle_changes(p_full boolean)
returns table (kind text, line bigint, betriebsnummer text, firmenname text, changes jsonb, reason text, detail text)
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
begin
    perform kammer_internal.acting_importer();
    perform kammer_internal.handwerksrolle_plan(p_full);
    return query
        select p.kind, p.line, p.betriebsnummer, p.firmenname, p.changes, p.reason, p.detail
        from pg_temp.handwerksrolle_plan p
        where p.kind <> 'unchanged'
        order by p.line nulls last, p.betriebsnummer;
end
$$;

-- Step 4: the counts, the refusals, and — unless this is a dry run — the merge with all it
-- sets off: codes sent to an old address retired and their mails cancelled, the open
-- Anträge of a gelöschter Betrieb expired, one audit event per e-mail change and deletion on
-- the Betrieb, one for the import. A dry run returns the counts and the refusal it would meet.
create function kammer_api.handwerksrolle_apply(
    p_file_name text, p_sha256 text, p_full boolean, p_skip_invalid boolean, p_force boolean,
    p_max_removed_percent numeric, p_dry_run boolean
) returns jsonb
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_actor record;
    v_counts record;
    v_active bigint;
    v_percent numeric;
    v_refusal text;
    v_import bigint;
    v_codes integer := 0;
    v_closed integer := 0;
    v record;
    v_summary jsonb;
begin
    select * into v_actor from kammer_internal.acting_importer();
    perform kammer_internal.handwerksrolle_plan(p_full);
    select count(*) filter (where line is not null) as rows_in_file,
           count(*) filter (where kind = 'new') as created,
           count(*) filter (where kind = 'changed') as changed,
           count(*) filter (where kind in ('changed', 'removed') and email_changed) as email_changed,
           count(*) filter (where kind = 'removed') as removed,
           count(*) filter (where kind = 'unchanged') as unchanged,
           count(*) filter (where kind = 'invalid') as invalid
    into v_counts from pg_temp.handwerksrolle_plan;
    select count(*) into v_active from betriebe where geloescht_am is null;
    v_percent := case when v_active = 0 then 0 else round(100.0 * v_counts.removed / v_active, 2) end;
    if v_counts.invalid > 0 and not p_skip_invalid then
        v_refusal := 'handwerksrolle_invalid_lines';
    elsif p_full and v_percent > p_max_removed_percent and not p_force then
        v_refusal := 'handwerksrolle_too_many_removed';
    end if;
    v_summary := jsonb_build_object(
        'mode', case when p_full then 'full' else 'delta' end,
        'rows_in_file', v_counts.rows_in_file, 'created', v_counts.created, 'changed', v_counts.changed,
        'email_changed', v_counts.email_changed, 'removed', v_counts.removed, 'unchanged', v_counts.unchanged,
        'invalid', v_counts.invalid, 'active_before', v_active, 'removed_percent', v_percent,
        'max_removed_percent', p_max_removed_percent, 'refusal', v_refusal);
    if p_dry_run then
        return v_summary;
    end if;
    if v_refusal is not null then
        perform kammer_internal.refuse('KD422', v_refusal, v_summary);
    end if;
    if p_file_name is null or btrim(p_file_name) = '' or p_sha256 is null or p_sha256 !~ '^[0-9a-f]{64}$' then
        perform kammer_internal.refuse('KD422', 'handwerksrolle_file_unnamed');
    end if;

    insert into handwerksrolle_imports (clerk_id, file_name, file_sha256, mode, rows_in_file, created, changed,
        email_changed, removed, unchanged, skipped)
    values (v_actor.o_clerk_id, left(p_file_name, 500), p_sha256, case when p_full then 'full' else 'delta' end,
        v_counts.rows_in_file, v_counts.created, v_counts.changed, v_counts.email_changed, v_counts.removed,
        v_counts.unchanged, v_counts.invalid)
    returning id into v_import;

    insert into betriebe (betriebsnummer, firmenname, inhaber, strasse, plz, ort, gewerk, email, geloescht_am, import_id)
    select p.betriebsnummer, p.firmenname, p.inhaber, p.strasse, p.plz, p.ort, p.gewerk, p.email, p.loeschdatum, v_import
    from pg_temp.handwerksrolle_plan p where p.kind = 'new';
    update betriebe b set firmenname = p.firmenname, inhaber = p.inhaber, strasse = p.strasse, plz = p.plz,
        ort = p.ort, gewerk = p.gewerk, email = p.email, geloescht_am = p.loeschdatum, import_id = v_import
    from pg_temp.handwerksrolle_plan p
    where b.id = p.betrieb_id and p.kind in ('changed', 'removed');
    -- Hauptsitz by number, once every Betrieb of the file exists.
    update betriebe b set hauptsitz_id = h.id
    from pg_temp.handwerksrolle_plan p left join betriebe h on h.betriebsnummer = p.hauptsitz
    where b.betriebsnummer = p.betriebsnummer and p.line is not null and p.kind in ('new', 'changed', 'removed')
      and b.hauptsitz_id is distinct from h.id;
    if not p_full then
        update betriebe b set import_id = v_import
        from pg_temp.handwerksrolle_plan p where b.id = p.betrieb_id and p.kind = 'unchanged';
    end if;

    -- The Betrieb's history shows when its address changed and when it was deleted.
    insert into audit_events (actor_kind, clerk_id, action, betrieb_id, details)
    select v_actor.o_actor_kind, v_actor.o_clerk_id, 'betrieb_email_changed', p.betrieb_id,
        jsonb_build_object('from', p.changes -> 'email' ->> 0, 'to', p.email, 'import_id', v_import)
    from pg_temp.handwerksrolle_plan p where p.kind in ('changed', 'removed') and p.email_changed;
    insert into audit_events (actor_kind, clerk_id, action, betrieb_id, details)
    select v_actor.o_actor_kind, v_actor.o_clerk_id, 'betrieb_geloescht', p.betrieb_id,
        jsonb_build_object('geloescht_am', p.loeschdatum, 'import_id', v_import,
            'active_zuordnungen', (select count(*) from zuordnungen z where z.betrieb_id = p.betrieb_id and z.revoked_at is null))
    from pg_temp.handwerksrolle_plan p where p.kind = 'removed';

    -- A code sent to the old address no longer proves anything: retired, its mail cancelled.
    for v in
        select a.nr, a.betrieb_id, c.sent_to, p.email
        from pg_temp.handwerksrolle_plan p
        join antraege a on a.betrieb_id = p.betrieb_id and a.status = 'awaiting_code'
        join confirmation_codes c on c.antrag_nr = a.nr and c.consumed_at is null and c.superseded_at is null
        where p.kind = 'changed' and p.email_changed
        order by a.nr
        for update of a
    loop
        perform kammer_internal.retire_live_code(v.nr, 'address_changed');
        insert into audit_events (actor_kind, clerk_id, action, antrag_nr, betrieb_id, details)
        values (v_actor.o_actor_kind, v_actor.o_clerk_id, 'code_retired', v.nr, v.betrieb_id,
            jsonb_build_object('reason', 'address_changed', 'sent_to', v.sent_to, 'new_email', v.email, 'import_id', v_import));
        v_codes := v_codes + 1;
    end loop;

    -- A Betrieb that is gone can confirm nobody: its open Anträge expire.
    for v in
        select a.nr, p.loeschdatum
        from pg_temp.handwerksrolle_plan p
        join antraege a on a.betrieb_id = p.betrieb_id and a.status in ('awaiting_code', 'in_review')
        where p.kind = 'removed'
        order by a.nr
        for update of a
    loop
        perform kammer_internal.transition(v.nr, array['awaiting_code', 'in_review'], 'expired', v_actor.o_clerk_id,
            format('Betrieb in der Handwerksrolle gelöscht am %s', to_char(v.loeschdatum, 'DD.MM.YYYY')));
        perform kammer_internal.retire_live_code(v.nr, 'expired');
        insert into audit_events (actor_kind, clerk_id, action, antrag_nr, betrieb_id, details)
        select v_actor.o_actor_kind, v_actor.o_clerk_id, 'expired', v.nr, a.betrieb_id,
            jsonb_build_object('reason', 'betrieb_geloescht', 'geloescht_am', v.loeschdatum, 'import_id', v_import)
        from antraege a where a.nr = v.nr;
        v_closed := v_closed + 1;
    end loop;

    update handwerksrolle_imports set codes_retired = v_codes, antraege_closed = v_closed where id = v_import;
    v_summary := v_summary || jsonb_build_object('import_id', v_import, 'codes_retired', v_codes, 'antraege_closed', v_closed);
    insert into audit_events (actor_kind, clerk_id, action, details)
    values (v_actor.o_actor_kind, v_actor.o_clerk_id, 'handwerksrolle_imported',
        v_summary || jsonb_build_object('file_name', p_file_name, 'file_sha256', p_sha256));
    -- One notification for the whole import: desks reload what they show.
    perform kammer_internal.notify('handwerksrolle_imported', null, null);
    -- Applied once: a second apply in this transaction finds nothing staged.
    perform kammer_internal.drop_import_tables();
    return v_summary;
end
$$;

revoke all on function kammer_api.handwerksrolle_stage(), kammer_api.handwerksrolle_changes(boolean),
    kammer_api.handwerksrolle_apply(text, text, boolean, boolean, boolean, numeric, boolean) from public;
grant usage on schema kammer_api to kammer_import;
grant execute on function kammer_api.handwerksrolle_stage(), kammer_api.handwerksrolle_changes(boolean),
    kammer_api.handwerksrolle_apply(text, text, boolean, boolean, boolean, numeric, boolean)
    to kammer_import, kammer_admin;

reset role;
