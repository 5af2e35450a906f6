use std::process::ExitCode;

fn main() -> ExitCode {
    rtbench::cli::main(std::env::args_os())
}
