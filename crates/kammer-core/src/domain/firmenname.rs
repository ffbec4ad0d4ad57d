/// Whether the Firmenname a requester typed names the registered Betrieb. The portal form
/// asks for "Inhaber/Firmenname", so either matches; case and spacing are ignored, because
/// "Test Betrieb" and "TESTBETRIEB" are the same business to a person.
pub fn firmenname_matches(entered: &str, firmenname: &str, inhaber: &str) -> bool {
    let wanted = squash(entered);
    !wanted.is_empty() && (wanted == squash(firmenname) || wanted == squash(inhaber))
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_case_and_spacing() {
        assert!(firmenname_matches("test betrieb", "Testbetrieb", ""));
        assert!(firmenname_matches(" MÜLLER  GmbH ", "Müller GmbH", ""));
        assert!(firmenname_matches(
            "Hans Müller",
            "Müller GmbH",
            "Hans Müller"
        ));
        assert!(!firmenname_matches("Testbetrieb2", "Testbetrieb", ""));
        assert!(!firmenname_matches("  ", "Testbetrieb", ""));
        assert!(!firmenname_matches("", "x", ""));
    }
}
