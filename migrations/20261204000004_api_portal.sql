-- The portal contract (docs/portal-interface.md): what a chamber's Verwaltungsportal calls,
-- as a login of the group kammer_portal, once it has authenticated the account itself.
-- Accounts are named by their e-mail address; the portal sends hashes, never a password or
-- a code in clear.

set local role kammer_owner;

-- An account's e-mail address as the portal may register it.
create function kammer_internal.check_email(p_email text) returns text
language plpgsql
as $$
declare
    v text := btrim(p_email);
begin
    if v is null or v = '' or char_length(v) > 254 or v ~ '[[:space:][:cntrl:]<>(),;:"\[\]\\]'
       or v !~ '^[^@]+@[^@]+\.[^@]+$' then
        perform kammer_internal.refuse('KD422', 'email_invalid', jsonb_build_object('email', left(v, 254)));
    end if;
    return v;
end
$$;

create function kammer_internal.account_by_email(p_email text, out o_id bigint, out o_confirmed boolean)
language plpgsql stable
as $$
begin
    select id, email_confirmed_at is not null into o_id, o_confirmed
    from accounts where lower(email) = lower(btrim(p_email));
    if not found then
        perform kammer_internal.refuse('KD404', 'account_not_found', jsonb_build_object('email', btrim(p_email)));
    end if;
end
$$;

-- The Antrag of this account; someone else's is, to this account, one that does not exist.
create function kammer_internal.own_antrag(p_account_id bigint, p_nr bigint) returns void
language plpgsql stable
as $$
begin
    if not exists (select 1 from antraege where nr = p_nr and account_id = p_account_id) then
        perform kammer_internal.refuse('KD404', 'antrag_not_found', jsonb_build_object('nr', p_nr));
    end if;
end
$$;

-- Name and Firmenname compared as a person would: case and spacing do not count.
create function kammer_internal.squash(p text) returns text
language sql immutable
return lower(regexp_replace(coalesce(p, ''), '\s', '', 'g'));

-- Step 1 of the how-to: a personal account, independent of any Betrieb. The requester's
-- name goes into the code mail the Betrieb reads, so it is one plain line of at most 100
-- characters.
create function kammer_api.portal_register(p_email text, p_name text, p_password_hash text, p_token_hash text)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_email text;
    v_name text := btrim(p_name);
    v_id bigint;
begin
    perform kammer_internal.require_service('kammer_portal');
    v_email := kammer_internal.check_email(p_email);
    if v_name is null or v_name = '' or char_length(v_name) > 100 or v_name ~ '[[:cntrl:]]' then
        perform kammer_internal.refuse('KD422', 'requester_name_invalid', jsonb_build_object('max', 100));
    end if;
    if coalesce(p_password_hash, '') = '' or coalesce(p_token_hash, '') = '' then
        perform kammer_internal.refuse('KD422', 'portal_hash_missing');
    end if;
    insert into accounts (email, name, password_hash, confirm_token_hash)
    values (v_email, v_name, p_password_hash, p_token_hash)
    on conflict (lower(email)) do nothing
    returning id into v_id;
    if v_id is null then
        perform kammer_internal.refuse('KD409', 'account_exists', jsonb_build_object('email', v_email));
    end if;
    perform kammer_internal.audit('account', null, v_id, 'account_registered', null, null, '{}'::jsonb);
    return v_id;
end
$$;

-- The click on the link in the registration mail. Confirming twice is harmless.
create function kammer_api.portal_confirm(p_email text, p_token_hash text) returns void
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v record;
begin
    perform kammer_internal.require_service('kammer_portal');
    select * into v from kammer_internal.account_by_email(p_email);
    if v.o_confirmed then
        return;
    end if;
    update accounts set email_confirmed_at = now(), confirm_token_hash = null
    where id = v.o_id and confirm_token_hash = p_token_hash;
    if not found then
        perform kammer_internal.refuse('KD422', 'confirm_token_invalid');
    end if;
    perform kammer_internal.audit('account', null, v.o_id, 'account_confirmed', null, null, '{}'::jsonb);
end
$$;

-- Step 2: the "Antrag zur Zuordnung". The code goes to the Betrieb's address on file; a
-- requester may file a few a day, and a Betrieb gets a few codes a day, whoever asks.
create function kammer_api.portal_request(
    p_email text, p_betriebsnummer text, p_firmenname text,
    out nr bigint, out sent_at timestamptz, out sent_to text, out code_expires_at timestamptz
)
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_account record;
    v_betrieb betriebe;
    v_firmenname text := btrim(p_firmenname);
    v_count bigint;
    v_open bigint;
    v_issued record;
begin
    perform kammer_internal.require_service('kammer_portal');
    select * into v_account from kammer_internal.account_by_email(p_email);
    if not v_account.o_confirmed then
        perform kammer_internal.refuse('KD422', 'account_unconfirmed');
    end if;
    if p_betriebsnummer is null or p_betriebsnummer !~ '^[0-9]{4,12}$' then
        perform kammer_internal.refuse('KD422', 'betriebsnummer_invalid');
    end if;
    if v_firmenname is null or char_length(v_firmenname) > 200 or v_firmenname ~ '[[:cntrl:]]' then
        perform kammer_internal.refuse('KD422', 'firmenname_invalid');
    end if;
    select * into v_betrieb from betriebe where betriebsnummer = p_betriebsnummer;
    if not found then
        perform kammer_internal.refuse('KD404', 'betrieb_not_found', jsonb_build_object('betriebsnummer', p_betriebsnummer));
    end if;
    if kammer_internal.squash(v_firmenname) = ''
       or kammer_internal.squash(v_firmenname) not in (kammer_internal.squash(v_betrieb.firmenname), kammer_internal.squash(v_betrieb.inhaber)) then
        perform kammer_internal.refuse('KD422', 'firmenname_mismatch', jsonb_build_object('betriebsnummer', p_betriebsnummer));
    end if;
    if exists (select 1 from zuordnungen z where z.account_id = v_account.o_id and z.betrieb_id = v_betrieb.id and z.revoked_at is null) then
        perform kammer_internal.refuse('KD409', 'account_already_linked', jsonb_build_object('betriebsnummer', p_betriebsnummer));
    end if;
    select count(*) into v_count from antraege a
    where a.account_id = v_account.o_id and a.sent_at > now() - interval '24 hours';
    if v_count >= (select account_requests_per_day from policy) then
        perform kammer_internal.refuse('KD422', 'account_day_limit', jsonb_build_object('count', v_count));
    end if;
    perform kammer_internal.enforce_betrieb_limit(v_betrieb.id);
    insert into antraege (account_id, betrieb_id, betriebsnummer_entered, firmenname_entered)
    values (v_account.o_id, v_betrieb.id, p_betriebsnummer, v_firmenname)
    on conflict (account_id, betrieb_id) where status in ('awaiting_code', 'in_review') do nothing
    returning antraege.nr, antraege.sent_at into nr, sent_at;
    if nr is null then
        select a.nr into v_open from antraege a
        where a.account_id = v_account.o_id and a.betrieb_id = v_betrieb.id and a.status in ('awaiting_code', 'in_review');
        perform kammer_internal.refuse('KD409', 'antrag_open_exists', jsonb_build_object('nr', v_open));
    end if;
    select * into v_issued from kammer_internal.issue_code(nr, null, null);
    perform kammer_internal.audit('account', null, v_account.o_id, 'requested', nr, v_betrieb.id,
        jsonb_build_object('betriebsnummer', p_betriebsnummer, 'firmenname', v_firmenname,
                           'prefix', v_issued.o_prefix, 'sent_to', v_issued.o_sent_to, 'outbox_id', v_issued.o_outbox_id));
    sent_to := v_issued.o_sent_to;
    code_expires_at := v_issued.o_expires_at;
end
$$;

-- Step 7: the requester pastes the code and clicks "Antrag versenden". A wrong code counts
-- an attempt, which must stay counted although the attempt fails: so this returns the
-- outcome instead of raising it ('confirmed', 'wrong', 'locked'), and the count commits.
create function kammer_api.portal_submit_code(
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
    v_betrieb := kammer_internal.lock_awaiting_code(p_nr);
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
    select * into v_moved from kammer_internal.transition(p_nr, array['awaiting_code'], status, null, null);
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
create function kammer_api.portal_withdraw(p_email text, p_nr bigint) returns void
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
    select * into v_moved from kammer_internal.transition(p_nr, array['awaiting_code', 'in_review'], 'withdrawn', null, null);
    perform kammer_internal.retire_live_code(p_nr, 'decided');
    perform kammer_internal.audit('account', null, v_account.o_id, 'withdrawn', p_nr, v_moved.o_betrieb_id,
        jsonb_build_object('from', v_moved.o_from, 'by', 'requester'));
end
$$;

revoke all on all functions in schema kammer_internal from public;
revoke execute on function kammer_api.portal_register(text, text, text, text), kammer_api.portal_confirm(text, text),
    kammer_api.portal_request(text, text, text), kammer_api.portal_submit_code(text, bigint, bytea),
    kammer_api.portal_withdraw(text, bigint) from public;
grant execute on function kammer_api.portal_register(text, text, text, text), kammer_api.portal_confirm(text, text),
    kammer_api.portal_request(text, text, text), kammer_api.portal_submit_code(text, bigint, bytea),
    kammer_api.portal_withdraw(text, bigint) to kammer_portal;

-- sqlx records the migration as the user who runs it.
reset role;
