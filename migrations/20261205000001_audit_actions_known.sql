-- The audit log's actions are a closed list: the names of kammer_core::domain::AuditAction,
-- whose German labels the desk and kammerctl show. A database function that writes a name not
-- on the list fails in its own transaction, so a new action cannot reach the log without a
-- label; kammer-core's test `the_database_knows_exactly_the_audit_actions` compares the list
-- with the Rust enum. NOT VALID: the rows already written are the old functions' own names
-- and need no scan of a large log at upgrade time; every new row is checked.
alter table audit_events add constraint audit_events_action_known check (action in (
        'requested',
        'code_mail_sent',
        'code_mail_failed',
        'code_mail_deferred',
        'code_checked',
        'code_wrong',
        'code_confirmed',
        'code_resent',
        'approved',
        'approval_requested',
        'withdrawn',
        'rejected',
        'expired',
        'zuordnung_revoked',
        'export_written',
        'account_registered',
        'account_confirmed',
        'clerk_added',
        'clerk_disabled',
        'clerk_enabled',
        'clerk_role_changed',
        'clerk_password_set',
        'policy_changed',
        'outbox_mail_read',
        'outbox_mail_requeued',
        'betrieb_email_changed',
        'betrieb_geloescht',
        'code_retired',
        'handwerksrolle_imported'
    )) not valid;
