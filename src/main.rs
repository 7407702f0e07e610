// See Cargo.toml: with glibc's malloc intake took in a fifth fewer reports.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    embargo::cli::main()
}
