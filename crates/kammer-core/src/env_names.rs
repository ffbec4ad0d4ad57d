//! One prefix for everything IT, cron jobs and service units set: `KAMMERDESK_…`, for the
//! desk and `kammerctl` alike. Earlier releases read `KAMMER_SMTP_…`, `KAMMERCTL_…`,
//! `KD_READ_DATABASE_URL` and `DATABASE_URL`; those names keep working for this release, with
//! a warning, so that a unit file or a scheduled task written for the last release does not
//! stop sending mail on the day of an update.

/// (current name, name of earlier releases).
pub const RENAMED: &[(&str, &str)] = &[
    ("KAMMERDESK_DATABASE_URL", "DATABASE_URL"),
    ("KAMMERDESK_READ_DATABASE_URL", "KD_READ_DATABASE_URL"),
    ("KAMMERDESK_USER", "KAMMERCTL_USER"),
    ("KAMMERDESK_PASSWORD", "KAMMERCTL_PASSWORD"),
    ("KAMMERDESK_NEW_PASSWORD", "KAMMERCTL_NEW_PASSWORD"),
    ("KAMMERDESK_PORTAL_PASSWORD", "KAMMERCTL_PORTAL_PASSWORD"),
    ("KAMMERDESK_SMTP_CONFIG", "KAMMER_SMTP_CONFIG"),
    ("KAMMERDESK_SMTP_HOST", "KAMMER_SMTP_HOST"),
    ("KAMMERDESK_SMTP_PORT", "KAMMER_SMTP_PORT"),
    ("KAMMERDESK_SMTP_SECURITY", "KAMMER_SMTP_SECURITY"),
    ("KAMMERDESK_SMTP_USER", "KAMMER_SMTP_USER"),
    ("KAMMERDESK_SMTP_PASSWORD", "KAMMER_SMTP_PASSWORD"),
    ("KAMMERDESK_SMTP_CA_FILE", "KAMMER_SMTP_CA_FILE"),
    ("KAMMERDESK_SMTP_TIMEOUT", "KAMMER_SMTP_TIMEOUT"),
];

/// What to do about one old name that is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renamed {
    /// Only the old name is set: its value is taken for the current name.
    Adopt {
        current: &'static str,
        old: &'static str,
        value: String,
    },
    /// Both are set: the current name wins.
    Ignored {
        current: &'static str,
        old: &'static str,
    },
}

impl Renamed {
    /// The warning, in German, for the terminal or the log.
    pub fn warning(&self) -> String {
        match self {
            Renamed::Adopt { current, old, .. } => format!(
                "Hinweis: {old} ist veraltet und gilt nur noch in dieser Version; bitte {current} setzen."
            ),
            Renamed::Ignored { current, old } => {
                format!(
                    "Hinweis: {old} ist veraltet und wird ignoriert, weil {current} gesetzt ist."
                )
            }
        }
    }
}

/// The old names set in an environment read through `var`. `DATABASE_URL` beside
/// `KAMMERDESK_DATABASE_URL` is not reported: many tools read it, so it is no sign of an
/// outdated set-up.
pub fn renamed_in(var: impl Fn(&str) -> Option<String>) -> Vec<Renamed> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty());
    RENAMED
        .iter()
        .filter_map(|&(current, old)| {
            let value = set(old)?;
            match set(current) {
                None => Some(Renamed::Adopt {
                    current,
                    old,
                    value,
                }),
                Some(_) if old == "DATABASE_URL" => None,
                Some(_) => Some(Renamed::Ignored { current, old }),
            }
        })
        .collect()
}

/// Gives the current names the values of the old ones in this process and returns the
/// warnings to show. Old names in `unused` are left alone: the caller knows they will not be
/// read (kammerctl with `--database-url` on its command line needs no `DATABASE_URL`).
///
/// # Safety
/// Changes the process environment: call it first thing in `main`, before any other thread
/// exists (`std::env::set_var`).
pub unsafe fn adopt_renamed(unused: &[&str]) -> Vec<String> {
    let found: Vec<Renamed> = renamed_in(|name| std::env::var(name).ok())
        .into_iter()
        .filter(|r| {
            let (Renamed::Adopt { old, .. } | Renamed::Ignored { old, .. }) = r;
            !unused.contains(old)
        })
        .collect();
    for renamed in &found {
        if let Renamed::Adopt { current, value, .. } = renamed {
            // SAFETY: the caller guarantees a single-threaded process.
            unsafe { std::env::set_var(current, value) };
        }
    }
    found.iter().map(Renamed::warning).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn an_old_name_alone_is_adopted_with_a_warning() {
        let found = renamed_in(env(&[("KAMMER_SMTP_HOST", "mail.kammer.example")]));
        assert_eq!(
            found,
            [Renamed::Adopt {
                current: "KAMMERDESK_SMTP_HOST",
                old: "KAMMER_SMTP_HOST",
                value: "mail.kammer.example".into()
            }]
        );
        assert!(
            found[0]
                .warning()
                .contains("bitte KAMMERDESK_SMTP_HOST setzen")
        );
    }

    #[test]
    fn the_current_name_wins_and_the_old_one_is_named() {
        let found = renamed_in(env(&[
            ("KAMMERCTL_USER", "alt"),
            ("KAMMERDESK_USER", "neu"),
        ]));
        assert_eq!(
            found,
            [Renamed::Ignored {
                current: "KAMMERDESK_USER",
                old: "KAMMERCTL_USER"
            }]
        );
        assert!(found[0].warning().contains("ignoriert"));
    }

    #[test]
    fn database_url_beside_the_current_name_is_no_warning() {
        let both = env(&[
            ("DATABASE_URL", "postgres://a/x"),
            ("KAMMERDESK_DATABASE_URL", "postgres://b/y"),
        ]);
        assert_eq!(renamed_in(both), []);
        assert_eq!(renamed_in(env(&[("KAMMERDESK_SMTP_HOST", "x")])), []);
        assert_eq!(renamed_in(env(&[("KAMMER_SMTP_HOST", "")])), []);
    }

    #[test]
    fn every_current_name_has_the_one_prefix_and_appears_once() {
        let mut seen = std::collections::BTreeSet::new();
        for (current, old) in RENAMED {
            assert!(current.starts_with("KAMMERDESK_"), "{current}");
            assert!(!old.starts_with("KAMMERDESK_"), "{old}");
            assert!(seen.insert(*current), "{current} twice");
        }
    }
}
