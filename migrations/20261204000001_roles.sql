-- The database enforces the rules (security model of 2026-12): one PostgreSQL login per
-- clerk, group roles for the KammerDesk roles, system groups for the services, and one
-- NOLOGIN owner of every table and function. This file creates the roles, hands the objects
-- to the owner, reshapes the tables for it and grants the reads; the functions through which
-- every change goes follow in the next files.
--
-- Roles are cluster-wide: every KammerDesk database on a server shares them. Whoever may
-- connect to which database is granted per login (CONNECT), not per group.

-- Serialises role creation with every other migration or demo seed on the same server
-- (test databases are migrated in parallel): CREATE ROLE and GRANT take a row-exclusive lock
-- on the shared catalogue, which this mode conflicts with; sign-ins only read it.
lock table pg_catalog.pg_authid in share row exclusive mode;

do $$
declare
    r text;
begin
    foreach r in array array['kammer_owner', 'kammer_reader', 'kammer_hotline', 'kammer_sachbearbeitung',
                             'kammer_admin', 'kammer_portal', 'kammer_mailer', 'kammer_reporting', 'kammer_import']
    loop
        if not exists (select 1 from pg_roles where rolname = r) then
            execute format('create role %I nologin', r);
        end if;
        -- A group that someone created by hand with more rights would hand them to every member.
        execute format('alter role %I nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls', r);
    end loop;
end
$$;

-- The owner creates and re-keys clerk logins inside its functions (kammer_api.clerk_*), and
-- ends a disabled clerk's sessions. It cannot log in: nobody can act as it directly.
alter role kammer_owner createrole;
grant pg_signal_backend to kammer_owner;

-- hotline ⊂ sachbearbeitung ⊂ admin; each clerk login is a member of exactly one of them.
-- kammer_reader holds the reads every clerk screen, the report jobs and the import need.
grant kammer_reader to kammer_hotline, kammer_reporting, kammer_import;
grant kammer_hotline to kammer_sachbearbeitung;
grant kammer_sachbearbeitung to kammer_admin;
-- From PostgreSQL 16 on, a CREATEROLE role may grant only roles it administers.
grant kammer_hotline, kammer_sachbearbeitung, kammer_admin to kammer_owner with admin option;

create extension if not exists pgcrypto;

create schema kammer_api;       -- what logins may call: every change goes through here
create schema kammer_internal;  -- building blocks of those functions; nobody else may call them
create schema kammer_secret;    -- the plaintext of codes on their way out; only the owner reads it
alter schema kammer_api owner to kammer_owner;
alter schema kammer_internal owner to kammer_owner;
alter schema kammer_secret owner to kammer_owner;
grant usage on schema kammer_api to kammer_reader, kammer_portal, kammer_mailer;

-- ---------------------------------------------------------------- reshaped tables

-- Clerks: the login role is the identity and its group the role; no password hash here.
-- Today's rows become login roles of the same name, without a password: IT sets new ones
-- (README, "Upgrading"). A name that already belongs to a role with special rights is not
-- taken over silently.
do $$
declare
    c record;
begin
    for c in select username, role, disabled_at from clerks loop
        if exists (select 1 from pg_roles where rolname = c.username
                   and (rolsuper or rolcreaterole or rolcreatedb or rolreplication or rolbypassrls)) then
            raise exception 'clerk %: a PostgreSQL role of that name exists with special rights; rename one of them first', c.username;
        end if;
        if not exists (select 1 from pg_roles where rolname = c.username) then
            execute format('create role %I login', c.username);
        end if;
        execute format('grant %I to %I', 'kammer_' || c.role, c.username);
        execute format('grant connect on database %I to %I', current_database(), c.username);
        if c.disabled_at is not null then
            execute format('alter role %I nologin', c.username);
        end if;
    end loop;
end
$$;
alter table clerks drop column password_hash;
alter table clerks drop column role;

-- Who really did it: the login of the session, which no function parameter can fake.
alter table audit_events add column login text not null default session_user;

alter table policy add column four_eyes_without_code boolean not null default true;
alter table policy add column betrieb_sends_per_day integer not null default 10
    check (betrieb_sends_per_day between 1 and 1000);
alter table policy add column account_requests_per_day integer not null default 5
    check (account_requests_per_day between 1 and 1000);

-- Approving without the code, first pair of eyes: stays awaiting_code until a second
-- Sachbearbeitung clerk confirms. Any status change clears it.
alter table antraege add column approval_requested_by bigint references clerks (id);
alter table antraege add column approval_requested_at timestamptz;
alter table antraege add column approval_request_reason text;
alter table antraege add constraint antraege_approval_request_complete
    check ((approval_requested_by is null) = (approval_requested_at is null));

-- Mails no longer carry their text: the mail sender composes it when it sends, from these
-- facts (fixed when the code was issued) and the code, which it alone may read.
alter table mail_outbox add column facts jsonb not null default '{}'::jsonb;
-- Why a mail was not sent: its code was replaced by a newer one, the Antrag was decided or
-- expired, or the Betrieb's address changed in the Handwerksrolle.
alter table mail_outbox add column cancel_reason text
    check (cancel_reason in ('superseded', 'decided', 'expired', 'address_changed'));

create table kammer_secret.code_plaintext (
    outbox_id  bigint primary key references mail_outbox (id),
    code       text not null check (code ~ '^[0-9a-f]{64}$')
);

-- Codes of mails still queued move out of the mail bodies; those of failed mails are dropped.
insert into kammer_secret.code_plaintext (outbox_id, code)
select id, substring(body_text from '[0-9a-f]{64}')
from mail_outbox
where status = 'queued' and body_text ~ '[0-9a-f]{64}';

update mail_outbox o
set facts = jsonb_build_object(
        'antrag_nr', a.nr, 'betriebsnummer', b.betriebsnummer, 'firmenname', b.firmenname,
        'requester_name', acc.name, 'requester_email', acc.email,
        'valid_until', coalesce((select min(c.expires_at) from confirmation_codes c where c.outbox_id = o.id), o.created_at),
        'chamber_name', p.chamber_name, 'hotline_phone', p.hotline_phone, 'portal_url', p.portal_url),
    cancel_reason = case when o.status = 'cancelled' then 'superseded' end
from antraege a
join betriebe b on b.id = a.betrieb_id
join accounts acc on acc.id = a.account_id
cross join policy p
where a.nr = o.antrag_nr;

alter table mail_outbox drop column body_text;
alter table mail_outbox drop column body_html;
alter table mail_outbox drop column subject;
drop function kammer_redact_codes(text);

-- What the desks show as „Postausgang zuletzt aktiv vor … s“: each running mail sender
-- reports here (kammer_api.mailer_heartbeat).
create table mailer_heartbeats (
    login         text not null,
    host          text not null,
    pid           integer not null,
    started_at    timestamptz not null,
    last_seen_at  timestamptz not null default now(),
    primary key (login, host, pid)
);

-- ---------------------------------------------------------------- ownership

do $$
declare
    r record;
begin
    for r in
        select c.oid::regclass as rel
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ('public', 'kammer_secret') and c.relkind in ('r', 'p', 'v', 'm')
          and c.relname <> '_sqlx_migrations'
          and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
    loop
        execute format('alter table %s owner to kammer_owner', r.rel);
    end loop;
    -- Sequences that no column owns (an owned one follows its table).
    for r in
        select c.oid::regclass as rel
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'S'
          and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('a', 'i', 'e'))
    loop
        execute format('alter sequence %s owner to kammer_owner', r.rel);
    end loop;
    for r in
        select p.oid::regprocedure as fn
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public'
          and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
    loop
        execute format('alter function %s owner to kammer_owner', r.fn);
    end loop;
end
$$;

-- ---------------------------------------------------------------- privileges

-- The application role of the first version could change every table: it keeps nothing.
revoke all on all tables in schema public from kammer_app;
revoke all on all sequences in schema public from kammer_app;
revoke all on all tables in schema public from public;
revoke execute on function kammer_recount_status_counts(), kammer_compact_status_counts() from public;

-- Nobody connects, creates objects or temporary tables unless granted here or per login.
do $$
begin
    execute format('revoke connect, create, temporary on database %I from public', current_database());
    -- The owner grants CONNECT to each login it creates (kammer_api.clerk_create).
    execute format('grant connect on database %I to kammer_owner with grant option', current_database());
    -- The import stages the file in a temporary table (COPY), then merges it in one function.
    execute format('grant temporary on database %I to kammer_import, kammer_admin', current_database());
end
$$;

-- Reads: what the clerks' screens, the report jobs and the import show. Secrets are column-
-- excluded: account password hashes and confirmation tokens, code hashes.
grant select on betriebe, antraege, zuordnungen, audit_events, policy, mail_outbox,
    antrag_status_counts, search_dictionary, mailer_heartbeats to kammer_reader;
grant select (id, email, name, email_confirmed_at, created_at) on accounts to kammer_reader;
grant select (id, antrag_nr, prefix, sent_to, outbox_id, issued_at, expires_at, consumed_at,
              superseded_at, wrong_attempts, issued_by, issue_reason) on confirmation_codes to kammer_reader;
grant select (id, username, display_name, disabled_at, created_at) on clerks to kammer_reader;
