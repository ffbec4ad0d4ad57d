-- KammerDesk schema: Betriebe, accounts, Anträge with their codes, Zuordnungen, clerks,
-- chamber-wide policy, the append-only audit log and the mail outbox.

create extension if not exists pg_trgm;

-- The role the desktop apps and kammerctl connect as in production. Roles are cluster-wide,
-- so creating it must tolerate a second database on the same server.
do $$
begin
    create role kammer_app nologin;
exception when duplicate_object then null;
end
$$;

-- ---------------------------------------------------------------- Betriebe
create table betriebe (
    id               bigint generated always as identity primary key,
    -- Text of digits: leading zeros are part of the number. "C" collation makes prefix LIKE indexable.
    betriebsnummer   text collate "C" not null unique check (betriebsnummer ~ '^[0-9]{4,12}$'),
    firmenname       text not null check (length(btrim(firmenname)) > 0),
    inhaber          text not null default '',
    strasse          text not null default '',
    plz              text not null default '',
    ort              text not null default '',
    gewerk           text not null default '',
    -- The only address a confirmation code is ever sent to.
    email            text not null check (position('@' in email) > 1),
    -- null: Hauptsitz; otherwise the Filiale's Hauptsitz (Filialen are a known gap of the portal).
    hauptsitz_id     bigint references betriebe (id),
    created_at       timestamptz not null default now(),
    -- One lower-cased haystack for the typo-tolerant search over name, Inhaber and e-mail.
    search_text      text generated always as (lower(firmenname || ' ' || inhaber || ' ' || email)) stored
);
create index betriebe_search_trgm on betriebe using gin (search_text gin_trgm_ops);
create index betriebe_hauptsitz on betriebe (hauptsitz_id) where hauptsitz_id is not null;

-- ---------------------------------------------------------------- portal accounts
create table accounts (
    id                  bigint generated always as identity primary key,
    email               text not null check (position('@' in email) > 1),
    name                text not null check (length(btrim(name)) > 0),
    password_hash       text not null,
    confirm_token_hash  text,
    email_confirmed_at  timestamptz,
    created_at          timestamptz not null default now()
);
create unique index accounts_email_ci on accounts (lower(email));

-- ---------------------------------------------------------------- clerks
create table clerks (
    id             bigint generated always as identity primary key,
    username       text not null check (username ~ '^[a-z0-9._-]{2,32}$'),
    display_name   text not null check (length(btrim(display_name)) > 0),
    role           text not null check (role in ('hotline', 'sachbearbeitung', 'admin')),
    password_hash  text not null,
    disabled_at    timestamptz,
    created_at     timestamptz not null default now()
);
create unique index clerks_username on clerks (username);

-- ---------------------------------------------------------------- chamber-wide settings
create table policy (
    singleton                  boolean primary key default true check (singleton),
    code_lifetime_days         integer not null default 14 check (code_lifetime_days between 1 and 365),
    code_attempt_limit         integer not null default 5 check (code_attempt_limit between 1 and 100),
    resend_cooldown_seconds    integer not null default 60 check (resend_cooldown_seconds between 0 and 86400),
    sends_per_day              integer not null default 5 check (sends_per_day between 1 and 1000),
    auto_approve_on_code       boolean not null default true,
    -- Who the code mail says it is from and whom to call: part of the text the Betrieb reads.
    chamber_name               text not null default 'Handwerkskammer',
    hotline_phone              text not null default '',
    mail_from                  text not null default 'noreply@handwerkskammer.invalid',
    portal_url                 text not null default '',
    updated_at                 timestamptz not null default now(),
    updated_by                 bigint references clerks (id)
);
insert into policy default values;

-- ---------------------------------------------------------------- Anträge
create sequence antrag_nr_seq;

create table antraege (
    nr                      bigint primary key default nextval('antrag_nr_seq'),
    kind                    text not null default 'kontozuordnung' check (kind = 'kontozuordnung'),
    account_id              bigint not null references accounts (id),
    betrieb_id              bigint not null references betriebe (id),
    -- As the requester typed them into the portal form.
    betriebsnummer_entered  text not null,
    firmenname_entered      text not null,
    status                  text not null default 'awaiting_code'
                            check (status in ('awaiting_code', 'in_review', 'approved', 'withdrawn', 'rejected', 'expired')),
    sent_at                 timestamptz not null default now(),
    code_confirmed_at       timestamptz,
    decided_at              timestamptz,
    decided_by              bigint references clerks (id),
    decision_reason         text,
    updated_at              timestamptz not null default now(),
    check ((status in ('awaiting_code', 'in_review')) = (decided_at is null))
);
alter sequence antrag_nr_seq owned by antraege.nr;
-- One open Antrag per account and Betrieb.
create unique index antraege_one_open on antraege (account_id, betrieb_id)
    where status in ('awaiting_code', 'in_review');
-- The queue: by status, oldest or newest first, keyset on (sent_at, nr).
create index antraege_status_sent on antraege (status, sent_at, nr);
create index antraege_sent on antraege (sent_at, nr);
create index antraege_betrieb_sent on antraege (betrieb_id, sent_at, nr);
create index antraege_account on antraege (account_id);

-- ---------------------------------------------------------------- mail outbox
create table mail_outbox (
    id               bigint generated always as identity primary key,
    created_at       timestamptz not null default now(),
    purpose          text not null check (purpose in ('confirmation_code')),
    antrag_nr        bigint references antraege (nr),
    message_id       text not null unique,
    mail_from        text not null,
    recipient        text not null,
    subject          text not null,
    body_text        text not null,
    body_html        text not null,
    status           text not null default 'queued' check (status in ('queued', 'sent', 'failed')),
    attempts         integer not null default 0,
    last_error       text,
    next_attempt_at  timestamptz not null default now(),
    sent_at          timestamptz
);
create index mail_outbox_due on mail_outbox (next_attempt_at) where status = 'queued';
create index mail_outbox_antrag on mail_outbox (antrag_nr);
create index mail_outbox_created on mail_outbox (created_at, id);

-- ---------------------------------------------------------------- confirmation codes
create table confirmation_codes (
    id               bigint generated always as identity primary key,
    antrag_nr        bigint not null references antraege (nr),
    -- SHA-256 of the normalised code; the code itself is never stored outside the queued mail.
    code_hash        bytea not null unique,
    -- Non-secret, for the hotline: "does your code begin with 479c88?"
    prefix           text not null,
    sent_to          text not null,
    outbox_id        bigint references mail_outbox (id),
    issued_at        timestamptz not null default now(),
    expires_at       timestamptz not null,
    consumed_at      timestamptz,
    superseded_at    timestamptz,
    wrong_attempts   integer not null default 0,
    issued_by        bigint references clerks (id),
    issue_reason     text
);
create index confirmation_codes_antrag on confirmation_codes (antrag_nr, issued_at);
-- At most one live code per Antrag.
create unique index confirmation_codes_one_current on confirmation_codes (antrag_nr)
    where consumed_at is null and superseded_at is null;
create index confirmation_codes_current_expiry on confirmation_codes (expires_at)
    where consumed_at is null and superseded_at is null;

-- ---------------------------------------------------------------- Zuordnungen
create table zuordnungen (
    id           bigint generated always as identity primary key,
    account_id   bigint not null references accounts (id),
    betrieb_id   bigint not null references betriebe (id),
    antrag_nr    bigint references antraege (nr),
    since        timestamptz not null default now(),
    revoked_at   timestamptz,
    revoked_by   bigint references clerks (id),
    revoke_reason text,
    check ((revoked_at is null) = (revoke_reason is null))
);
create unique index zuordnungen_one_active on zuordnungen (account_id, betrieb_id) where revoked_at is null;
create index zuordnungen_betrieb on zuordnungen (betrieb_id);

-- ---------------------------------------------------------------- audit log (append-only)
create table audit_events (
    id            bigint generated always as identity primary key,
    at            timestamptz not null default now(),
    actor_kind    text not null check (actor_kind in ('clerk', 'account', 'system')),
    clerk_id      bigint references clerks (id),
    account_id    bigint references accounts (id),
    action        text not null,
    antrag_nr     bigint references antraege (nr),
    betrieb_id    bigint references betriebe (id),
    details       jsonb not null default '{}'::jsonb
);
create index audit_events_antrag on audit_events (antrag_nr, id) where antrag_nr is not null;
create index audit_events_betrieb on audit_events (betrieb_id, id) where betrieb_id is not null;
create index audit_events_clerk on audit_events (clerk_id, id) where clerk_id is not null;
create index audit_events_at on audit_events (at, id);

create function audit_events_are_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_events is append-only' using errcode = 'insufficient_privilege';
end
$$;
create trigger audit_events_no_update before update or delete on audit_events
    for each row execute function audit_events_are_append_only();
create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function audit_events_are_append_only();

-- ---------------------------------------------------------------- privileges of the app role
grant select, insert, update, delete on betriebe, accounts, clerks, antraege, mail_outbox,
    confirmation_codes, zuordnungen to kammer_app;
grant select, update on policy to kammer_app;
grant select, insert on audit_events to kammer_app;
grant usage on all sequences in schema public to kammer_app;
