//! `kammerctl completions <shell>`: the shell's completion script, generated from the same
//! command tree as the help, on stdout. Needs no database.

use clap::Args;
use clap_complete::Shell;

#[derive(Args)]
pub struct Cmd {
    /// bash, zsh, fish, powershell oder elvish
    #[arg(value_enum, value_name = "SHELL")]
    shell: Shell,
}

impl Cmd {
    pub fn run(&self) {
        clap_complete::generate(
            self.shell,
            &mut crate::command(),
            "kammerctl",
            &mut std::io::stdout(),
        );
    }
}
