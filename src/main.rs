fn main() -> std::process::ExitCode {
    embargo::cli::main()
}
