//! clap's help in German: the headings, the help and version flags, and German names for the
//! values (`--reason <BEGRÜNDUNG>`), the same in every command. `help` is a command of ours
//! (`commands::Command::Help`), since clap's own is described in English.

use clap::{Arg, ArgAction, Command};

/// clap's default layout, with a German heading for the usage line.
const TEMPLATE: &str =
    "{before-help}{about-with-newline}\nAufruf: {usage}\n\n{all-args}{after-help}";

/// The value names of options and arguments by their id, wherever they appear. An argument
/// that names its value itself (`value_name`) keeps it.
const VALUE_NAMES: &[(&str, &str)] = &[
    ("reason", "BEGRÜNDUNG"),
    ("limit", "ANZAHL"),
    ("after", "SEITENMARKE"),
    ("search", "SUCHBEGRIFF"),
    ("query", "SUCHBEGRIFF"),
    ("status", "STATUS"),
    ("month", "JJJJ-MM"),
    ("dialect", "DIALEKT"),
    ("out", "DATEI"),
    ("series_out", "DATEI"),
    ("betrieb", "BETRIEBSNUMMER"),
    ("username", "BENUTZER"),
    ("role", "ROLLE"),
    ("name", "NAME"),
    ("email", "E-MAIL"),
    ("token", "TOKEN"),
    ("service", "DIENST"),
    ("database_url", "ADRESSE"),
    ("read_database_url", "ADRESSE"),
    ("smtp_config", "DATEI"),
    ("smtp_ca_file", "DATEI"),
    ("smtp_host", "HOST"),
    ("smtp_port", "PORT"),
    ("smtp_security", "VERFAHREN"),
    ("smtp_user", "BENUTZER"),
    ("smtp_timeout", "SEKUNDEN"),
    ("retry_after", "SEKUNDEN"),
    ("concurrency", "ANZAHL"),
    ("max_attempts", "ANZAHL"),
    ("betriebe", "ANZAHL"),
    ("antraege", "ANZAHL"),
    ("code_lifetime_days", "TAGE"),
    ("code_attempt_limit", "ANZAHL"),
    ("resend_cooldown_seconds", "SEKUNDEN"),
    ("sends_per_day", "ANZAHL"),
    ("betrieb_sends_per_day", "ANZAHL"),
    ("account_requests_per_day", "ANZAHL"),
    ("auto_approve_on_code", "true|false"),
    ("four_eyes_without_code", "true|false"),
    ("chamber_name", "NAME"),
    ("hotline_phone", "TELEFON"),
    ("mail_from", "ADRESSE"),
    ("portal_url", "ADRESSE"),
];

/// The whole tree in German.
pub fn german(cmd: Command) -> Command {
    let cmd = cmd
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .global(true)
                .help("Hilfe anzeigen (-h kurz, --help ausführlich)"),
        )
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Version anzeigen"),
        );
    layout(cmd)
}

fn layout(cmd: Command) -> Command {
    cmd.help_template(TEMPLATE)
        .subcommand_help_heading("Befehle")
        .subcommand_value_name("BEFEHL")
        .mut_args(arg)
        .mut_subcommands(layout)
}

fn arg(a: Arg) -> Arg {
    let a = german_value_name(a);
    let a = german_annotations(a);
    if a.get_help_heading().is_some() {
        a
    } else if a.is_global_set() {
        a.help_heading("Anmeldung und Ausgabe (für alle Befehle)")
    } else if a.is_positional() {
        a.help_heading("Argumente")
    } else {
        a.help_heading("Optionen")
    }
}

/// clap's derive names a value after its field (`--reason <REASON>`); such a name, or none,
/// becomes the German one from [`VALUE_NAMES`].
fn german_value_name(a: Arg) -> Arg {
    let Some((_, name)) = VALUE_NAMES.iter().find(|(id, _)| a.get_id() == *id) else {
        return a;
    };
    let derived = match a.get_value_names() {
        None => true,
        Some([only]) => only.as_str() == a.get_id().as_str().to_uppercase(),
        Some(_) => false,
    };
    if derived && a.get_action().takes_values() {
        a.value_name(*name)
    } else {
        a
    }
}

/// clap writes `[default: …]`, `[env: …]` and `[possible values: …]` in English; the same
/// facts in German, appended to the argument's own help.
fn german_annotations(a: Arg) -> Arg {
    let mut notes = Vec::new();
    let mut long_notes = Vec::new();
    let mut a = a;
    if !a.is_hide_possible_values_set() && a.get_action().takes_values() {
        let values: Vec<_> = a
            .get_possible_values()
            .into_iter()
            .filter(|v| !v.is_hide_set())
            .collect();
        if !values.is_empty() {
            let names: Vec<&str> = values.iter().map(|v| v.get_name()).collect();
            notes.push(format!("möglich: {}", names.join(", ")));
            if values.iter().any(|v| v.get_help().is_some()) {
                let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
                let lines: Vec<String> = values
                    .iter()
                    .map(|v| {
                        let help = v.get_help().map(ToString::to_string).unwrap_or_default();
                        format!("  {:width$}  {help}", v.get_name())
                    })
                    .collect();
                long_notes.push(format!("Möglich:\n{}", lines.join("\n")));
            }
            a = a.hide_possible_values(true);
        }
    }
    if !a.is_hide_default_value_set() && !a.get_default_values().is_empty() {
        let defaults: Vec<String> = a
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        notes.push(format!("Standard: {}", defaults.join(", ")));
        a = a.hide_default_value(true);
    }
    if let Some(var) = a.get_env().map(|v| v.to_string_lossy().into_owned())
        && !a.is_hide_env_set()
    {
        notes.push(format!("Umgebung: {var}"));
        a = a.hide_env(true);
    }
    if notes.is_empty() {
        return a;
    }
    let help = a.get_help().map(ToString::to_string).unwrap_or_default();
    let annotated = format!("{help} [{}]", notes.join("; ")).trim().to_string();
    let long = if long_notes.is_empty() {
        a.get_long_help()
            .map(|l| format!("{l} [{}]", notes.join("; ")))
    } else {
        let base = a.get_long_help().map_or(help.clone(), ToString::to_string);
        Some(
            format!("{base}\n\n{}", long_notes.join("\n\n"))
                .trim()
                .to_string(),
        )
    };
    let a = a.help(annotated);
    match long {
        Some(l) => a.long_help(l),
        None => a,
    }
}

/// clap's usage errors in German (clap itself writes English), exit code 2; help and version
/// output pass through unchanged.
pub fn usage_error(e: clap::Error) -> ! {
    use clap::error::{ContextKind as C, ErrorKind as K};
    match e.kind() {
        K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand => {
            e.exit()
        }
        _ => {}
    }
    let get = |kind: C| e.get(kind).map(ToString::to_string).unwrap_or_default();
    let mut text = match e.kind() {
        K::UnknownArgument => format!(
            "Unbekannte Option oder überzähliges Argument „{}“.",
            get(C::InvalidArg)
        ),
        K::InvalidSubcommand => format!("Unbekannter Befehl „{}“.", get(C::InvalidSubcommand)),
        K::InvalidValue | K::ValueValidation if get(C::InvalidValue).is_empty() => {
            format!("{} braucht einen Wert.", get(C::InvalidArg))
        }
        K::InvalidValue | K::ValueValidation => format!(
            "„{}“ ist kein gültiger Wert für {}.",
            get(C::InvalidValue),
            get(C::InvalidArg)
        ),
        K::MissingRequiredArgument => format!("Es fehlt: {}.", get(C::InvalidArg)),
        K::MissingSubcommand => "Es fehlt der Befehl.".to_string(),
        K::ArgumentConflict => format!(
            "{} lässt sich nicht mit {} zusammen angeben.",
            get(C::InvalidArg),
            get(C::PriorArg)
        ),
        K::TooManyValues | K::TooFewValues | K::WrongNumberOfValues => {
            format!("Falsche Anzahl von Werten für {}.", get(C::InvalidArg))
        }
        _ => {
            format!("Der Aufruf ist fehlerhaft ({}).", e.kind())
        }
    };
    let valid = get(C::ValidValue);
    if !valid.is_empty() {
        text.push_str(&format!(" Möglich: {valid}."));
    }
    for suggested in [C::SuggestedArg, C::SuggestedSubcommand, C::SuggestedValue] {
        let s = get(suggested);
        if !s.is_empty() {
            text.push_str(&format!(" Gemeint ist vielleicht „{s}“."));
        }
    }
    let usage = get(C::Usage).replacen("Usage:", "Aufruf:", 1);
    eprintln!("Fehler (usage): {text}");
    if !usage.is_empty() {
        eprintln!("\n{usage}");
    }
    eprintln!("\nMehr dazu mit --help.");
    std::process::exit(2)
}
