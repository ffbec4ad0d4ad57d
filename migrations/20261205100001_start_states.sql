-- From which states each action on an Antrag may start, and whether it needs a Begründung
-- there: declared once, in the table kammer_internal.start_states. Every function that acts
-- on an Antrag asks it: kammer_internal.start locks the Antrag and refuses an action its state
-- does not allow, kammer_internal.transition moves only an Antrag in one of the action's start
-- states. The desk reads the same rows (kammer_api.start_states) to grey out its buttons, so
-- what a button offers and what the database accepts cannot drift apart.
--
-- The actions of the clerks carry the names of kammer_core's AntragAction; the others are
-- the portal's and the system's. A check changes nothing and kammer_api.code_check answers in
-- any state (its verdict names the status): its row says where the desk offers it.
--
-- The table belongs to the owner. No login may write it, and only the functions read it.

set local role kammer_owner;

create table kammer_internal.start_states (
    action          text not null,
    status          text not null
                    check (status in ('awaiting_code', 'in_review', 'approved', 'withdrawn', 'rejected', 'expired')),
    reason_required boolean not null,
    primary key (action, status)
);

insert into kammer_internal.start_states (action, status, reason_required) values
    -- the clerks (kammer_core::antraege::AntragAction)
    ('check_code', 'awaiting_code', false),
    ('resend_code', 'awaiting_code', true),
    ('approve', 'in_review', false),
    ('approve', 'awaiting_code', true),   -- without the code; by default a second clerk confirms
    ('withdraw', 'awaiting_code', true),
    ('withdraw', 'in_review', true),
    ('reject', 'awaiting_code', true),
    ('reject', 'in_review', true),
    -- the portal, for the requester
    ('submit_code', 'awaiting_code', false),
    ('withdraw_own', 'awaiting_code', false),
    ('withdraw_own', 'in_review', false),
    -- the system: the code was not used in time; the Betrieb was deleted from the Handwerksrolle
    ('expire', 'awaiting_code', false),
    ('expire_geloescht', 'awaiting_code', false),
    ('expire_geloescht', 'in_review', false);

-- Whether the action needs a Begründung from this state; null where it may not start there.
create function kammer_internal.reason_required(p_action text, p_status text) returns boolean
language sql stable
return (select s.reason_required from kammer_internal.start_states s where s.action = p_action and s.status = p_status);

-- A Begründung checked before the Antrag is even locked, for an action that needs one from
-- every state it may start from (withdraw, reject, resend): a blank one is refused first.
create function kammer_internal.reason_for(p_action text, p_reason text) returns text
language sql stable
return kammer_internal.reason(p_reason, coalesce(
    (select bool_and(s.reason_required) from kammer_internal.start_states s where s.action = p_action), false));

-- The states the action may start from.
create function kammer_internal.start_states_of(p_action text) returns text[]
language sql stable
return array(select s.status from kammer_internal.start_states s where s.action = p_action order by s.status);

-- The refusal of an action the Antrag's state does not allow: an action that needs a waiting
-- code says the Antrag waits for none; any other names the state the Antrag is in now.
create function kammer_internal.refuse_start(p_nr bigint, p_action text, p_status text) returns void
language plpgsql
as $$
declare
    v_from text[] := kammer_internal.start_states_of(p_action);
begin
    if cardinality(v_from) = 0 then
        raise exception 'no start states for the action %', p_action;
    end if;
    if p_status is null then
        perform kammer_internal.refuse('KD404', 'antrag_not_found', jsonb_build_object('nr', p_nr));
    end if;
    perform kammer_internal.refuse('KD409',
        case when v_from = array['awaiting_code'] then 'antrag_not_awaiting_code' else 'antrag_status_changed' end,
        jsonb_build_object('nr', p_nr, 'status', p_status));
end
$$;

-- Locks the Antrag for the action, or refuses it when the action may not start from its state.
-- Resends and code submissions on one Antrag run one after the other behind this lock.
create function kammer_internal.start(p_nr bigint, p_action text) returns antraege
language plpgsql
as $$
declare
    v antraege;
begin
    select * into v from antraege where nr = p_nr for update;
    if kammer_internal.reason_required(p_action, v.status) is null then
        perform kammer_internal.refuse_start(p_nr, p_action, v.status);
    end if;
    return v;
end
$$;

-- The one place an Antrag changes status. The action's start states are part of the UPDATE's
-- WHERE, so of two clerks acting at once exactly one moves the row; the other gets a
-- conflict naming the state it is in now. A pending approval without code is cleared.
drop function kammer_internal.transition(bigint, text[], text, bigint, text);
create function kammer_internal.transition(
    p_nr bigint, p_action text, p_to text, p_clerk_id bigint, p_reason text,
    out o_betrieb_id bigint, out o_account_id bigint, out o_from text
)
language plpgsql
as $$
declare
    v_decided boolean := p_to not in ('awaiting_code', 'in_review');
    v_from text[] := kammer_internal.start_states_of(p_action);
    v_status text;
begin
    with old as (
        select a.nr, a.status from antraege a where a.nr = p_nr and a.status = any(v_from) for update
    )
    update antraege a set
        status = p_to,
        updated_at = now(),
        decided_at = case when v_decided then now() else a.decided_at end,
        decided_by = case when v_decided then p_clerk_id else a.decided_by end,
        decision_reason = case when v_decided then p_reason else a.decision_reason end,
        approval_requested_by = null,
        approval_requested_at = null,
        approval_request_reason = null
    from old
    where a.nr = old.nr
    returning a.betrieb_id, a.account_id, old.status into o_betrieb_id, o_account_id, o_from;
    if not found then
        select status into v_status from antraege where nr = p_nr;
        perform kammer_internal.refuse_start(p_nr, p_action, v_status);
    end if;
end
$$;

-- Replaced by kammer_internal.start.
drop function kammer_internal.lock_awaiting_code(bigint);

-- A first approval without the code waits only on an Antrag that waits for its code: every
-- transition clears it. antrag_approve relies on that. Checked for the rows already written
-- too (one scan of the table at upgrade, about a second for five million Anträge).
alter table antraege add constraint antraege_approval_request_only_awaiting_code
    check (approval_requested_by is null or status = 'awaiting_code');

-- Approves an Antrag. From in_review a reason is optional. From awaiting_code — without the
-- code — a reason is required (start_states), and by default (policy four_eyes_without_code)
-- the first Sachbearbeitung clerk only asks for it: a second, different one confirms.
-- Outcome: 'approved' (with the Zuordnung) or 'awaiting_second'.
create or replace function kammer_api.antrag_approve(
    p_nr bigint, p_reason text default null,
    out outcome text, out zuordnung_id bigint
)
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_clerk clerks := kammer_internal.acting_clerk('approve');
    v_reason text := kammer_internal.reason(p_reason, false);
    v antraege := kammer_internal.start(p_nr, 'approve');
    v_moved record;
    v_details jsonb := '{}'::jsonb;
begin
    if v.approval_requested_by is not null then
        -- The second confirmation of an approval without the code.
        if v.approval_requested_by = v_clerk.id then
            perform kammer_internal.refuse('KD403', 'second_approval_same_clerk', jsonb_build_object('nr', p_nr));
        end if;
        v_details := jsonb_build_object('first_clerk_id', v.approval_requested_by,
            'first_reason', v.approval_request_reason, 'second_reason', v_reason);
        v_reason := coalesce(v_reason, v.approval_request_reason);
    else
        if v_reason is null and kammer_internal.reason_required('approve', v.status) then
            perform kammer_internal.refuse('KD422', 'approve_needs_reason', jsonb_build_object('nr', p_nr));
        end if;
        if v.status = 'awaiting_code' and (select four_eyes_without_code from policy) then
            update antraege set approval_requested_by = v_clerk.id, approval_requested_at = now(),
                                approval_request_reason = v_reason, updated_at = now()
            where nr = p_nr;
            perform kammer_internal.audit('clerk', v_clerk.id, null, 'approval_requested', p_nr, v.betrieb_id,
                jsonb_build_object('reason', v_reason));
            outcome := 'awaiting_second';
            return;
        end if;
    end if;
    select * into v_moved from kammer_internal.transition(p_nr, 'approve', 'approved', v_clerk.id, v_reason);
    zuordnung_id := kammer_internal.complete_approval(p_nr, v_moved.o_betrieb_id, v_moved.o_account_id,
        v_moved.o_from, 'clerk', v_clerk.id, v_reason, v_details);
    outcome := 'approved';
end
$$;

-- Rejects (Sachbearbeitung) or withdraws on the requester's behalf (Hotline and up); both
-- close an open Antrag, with the reason its start state asks for.
drop function kammer_internal.close_antrag(bigint, text, text, text);
create function kammer_internal.close_antrag(p_nr bigint, p_reason text, p_action text, p_permission text, p_to text)
returns void
language plpgsql
as $$
declare
    v_clerk clerks := kammer_internal.acting_clerk(p_permission);
    v_reason text := kammer_internal.reason_for(p_action, p_reason);
    v antraege := kammer_internal.start(p_nr, p_action);
    v_moved record;
begin
    perform kammer_internal.reason(v_reason, kammer_internal.reason_required(p_action, v.status));
    select * into v_moved from kammer_internal.transition(p_nr, p_action, p_to, v_clerk.id, v_reason);
    perform kammer_internal.retire_live_code(p_nr, 'decided');
    perform kammer_internal.audit('clerk', v_clerk.id, null, p_to, p_nr, v_moved.o_betrieb_id,
        jsonb_build_object('from', v_moved.o_from, 'reason', v_reason));
end
$$;

create or replace function kammer_api.antrag_reject(p_nr bigint, p_reason text) returns void
language sql security definer
set search_path = pg_catalog, public, pg_temp
as $$ select kammer_internal.close_antrag(p_nr, p_reason, 'reject', 'reject', 'rejected'); $$;

create or replace function kammer_api.antrag_withdraw(p_nr bigint, p_reason text) returns void
language sql security definer
set search_path = pg_catalog, public, pg_temp
as $$ select kammer_internal.close_antrag(p_nr, p_reason, 'withdraw', 'withdraw_on_behalf', 'withdrawn'); $$;

-- „Code erneut senden“: a new code for an Antrag that waits for one, within the policy's
-- cooldown and limits; the old code stops working in the same transaction.
create or replace function kammer_api.code_resend(
    p_nr bigint, p_reason text,
    out prefix text, out expires_at timestamptz, out sent_to text, out outbox_id bigint
)
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_clerk clerks := kammer_internal.acting_clerk('handle_codes');
    v_reason text := kammer_internal.reason_for('resend_code', p_reason);
    v antraege := kammer_internal.start(p_nr, 'resend_code');
    v_issued record;
begin
    perform kammer_internal.reason(v_reason, kammer_internal.reason_required('resend_code', v.status));
    perform kammer_internal.enforce_send_limits(p_nr, v.betrieb_id);
    select * into v_issued from kammer_internal.issue_code(p_nr, v_clerk.id, v_reason);
    perform kammer_internal.audit('clerk', v_clerk.id, null, 'code_resent', p_nr, v.betrieb_id,
        jsonb_build_object('reason', v_reason, 'prefix', v_issued.o_prefix, 'sent_to', v_issued.o_sent_to,
                           'code_id', v_issued.o_code_id, 'outbox_id', v_issued.o_outbox_id));
    prefix := v_issued.o_prefix;
    expires_at := v_issued.o_expires_at;
    sent_to := v_issued.o_sent_to;
    outbox_id := v_issued.o_outbox_id;
end
$$;

-- Expires every Antrag whose live code has expired without being used (a cron job of the
-- reporting service, `kammerctl expire`), each through the one transition. Returns their numbers.
create or replace function kammer_api.expire_overdue() returns setof bigint
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_from text[];
    v_nr bigint;
    v_moved record;
    v_any boolean := false;
begin
    perform kammer_internal.require_service('kammer_reporting');
    v_from := kammer_internal.start_states_of('expire');
    for v_nr in
        select a.nr from antraege a
        join confirmation_codes c on c.antrag_nr = a.nr and c.consumed_at is null and c.superseded_at is null
        where a.status = any(v_from) and c.expires_at <= now()
        order by a.nr
        for update of a
    loop
        select * into v_moved from kammer_internal.transition(v_nr, 'expire', 'expired', null, null);
        perform kammer_internal.retire_live_code(v_nr, 'expired');
        insert into audit_events (actor_kind, action, antrag_nr, betrieb_id, details)
        values ('system', 'expired', v_nr, v_moved.o_betrieb_id, '{"reason": "code_not_used_in_time"}');
        v_any := true;
        return next v_nr;
    end loop;
    if v_any then
        perform kammer_internal.notify('expired', null, null);
    end if;
end
$$;

-- A code the requester types into the portal: see 20261204000004_api_portal.sql. A wrong code
-- is an attempt, which must stay counted although the attempt fails: so this returns the
-- outcome instead of raising it ('confirmed', 'wrong', 'locked'), and the count commits.
create or replace function kammer_api.portal_submit_code(
    p_email text, p_nr bigint, p_code_hash bytea,
    out outcome text, out status text, out attempts_left integer
)
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_account record;
    v_betrieb bigint;
    v_live confirmation_codes;
    v_policy policy;
    v_attempts integer;
    v_moved record;
begin
    perform kammer_internal.require_service('kammer_portal');
    select * into v_account from kammer_internal.account_by_email(p_email);
    perform kammer_internal.own_antrag(v_account.o_id, p_nr);
    v_betrieb := (kammer_internal.start(p_nr, 'submit_code')).betrieb_id;
    select * into v_policy from policy;
    select * into v_live from confirmation_codes
    where antrag_nr = p_nr and consumed_at is null and superseded_at is null
    for update;
    if not found then
        perform kammer_internal.refuse('KD409', 'code_missing', jsonb_build_object('nr', p_nr));
    end if;
    if v_live.expires_at <= now() then
        perform kammer_internal.refuse('KD422', 'code_expired', jsonb_build_object('nr', p_nr));
    end if;
    if v_live.wrong_attempts >= v_policy.code_attempt_limit then
        perform kammer_internal.refuse('KD422', 'code_locked', jsonb_build_object('nr', p_nr));
    end if;
    if v_live.code_hash <> p_code_hash then
        -- An old code replaced by a newer one is a mix-up, not a guess: not counted.
        if exists (select 1 from confirmation_codes where antrag_nr = p_nr and code_hash = p_code_hash) then
            perform kammer_internal.refuse('KD422', 'code_superseded', jsonb_build_object('nr', p_nr));
        end if;
        update confirmation_codes set wrong_attempts = wrong_attempts + 1 where id = v_live.id
        returning wrong_attempts into v_attempts;
        perform kammer_internal.audit('account', null, v_account.o_id, 'code_wrong', p_nr, v_betrieb,
            jsonb_build_object('attempts', v_attempts));
        attempts_left := greatest(0, v_policy.code_attempt_limit - v_attempts);
        outcome := case when attempts_left = 0 then 'locked' else 'wrong' end;
        status := 'awaiting_code';
        return;
    end if;
    update confirmation_codes set consumed_at = now() where id = v_live.id;
    update antraege set code_confirmed_at = now() where antraege.nr = p_nr;
    status := case when v_policy.auto_approve_on_code then 'approved' else 'in_review' end;
    select * into v_moved from kammer_internal.transition(p_nr, 'submit_code', status, null, null);
    perform kammer_internal.audit('account', null, v_account.o_id, 'code_confirmed', p_nr, v_betrieb,
        jsonb_build_object('code_id', v_live.id));
    if status = 'approved' then
        -- Approved by the portal on a correct code: the system, not a clerk, decided.
        perform kammer_internal.complete_approval(p_nr, v_moved.o_betrieb_id, v_moved.o_account_id,
            v_moved.o_from, 'system', null, null, '{}'::jsonb);
    end if;
    outcome := 'confirmed';
end
$$;


-- "Ich habe keinen Bestätigungs-Code und möchte den Antrag zurückziehen".
create or replace function kammer_api.portal_withdraw(p_email text, p_nr bigint) returns void
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_account record;
    v_moved record;
begin
    perform kammer_internal.require_service('kammer_portal');
    select * into v_account from kammer_internal.account_by_email(p_email);
    perform kammer_internal.own_antrag(v_account.o_id, p_nr);
    select * into v_moved from kammer_internal.transition(p_nr, 'withdraw_own', 'withdrawn', null, null);
    perform kammer_internal.retire_live_code(p_nr, 'decided');
    perform kammer_internal.audit('account', null, v_account.o_id, 'withdrawn', p_nr, v_moved.o_betrieb_id,
        jsonb_build_object('from', v_moved.o_from, 'by', 'requester'));
end
$$;

-- The Handwerksrolle's import: see 20261204100001_handwerksrolle.sql. The open Anträge of a
-- Betrieb deleted from the Rolle expire through the one transition.
create or replace function kammer_api.handwerksrolle_apply(
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
    v_expiring text[];
begin
    select * into v_actor from kammer_internal.acting_importer();
    v_expiring := kammer_internal.start_states_of('expire_geloescht');
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
        join antraege a on a.betrieb_id = p.betrieb_id and a.status = any(v_expiring)
        where p.kind = 'removed'
        order by a.nr
        for update of a
    loop
        perform kammer_internal.transition(v.nr, 'expire_geloescht', 'expired', v_actor.o_clerk_id,
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


-- The rows for the desk's buttons: every clerk reads them at each Antrag it shows.
create function kammer_api.start_states() returns table (action text, status text, reason_required boolean)
language sql stable security definer
set search_path = pg_catalog, public, pg_temp
as $$ select s.action, s.status, s.reason_required from kammer_internal.start_states s order by s.action, s.status; $$;

revoke all on all functions in schema kammer_internal from public;
revoke all on function kammer_api.start_states() from public;
grant execute on function kammer_api.start_states() to kammer_hotline;

-- sqlx records the migration as the user who runs it.
reset role;
