// mimalloc: a run allocates millions of small syntax nodes; glibc's malloc and free were a
// third of a warm run's instructions.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Big stacks for the worker threads: lowering is bounded, but generated code is deep.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(64 * 1024 * 1024)
        .build_global();
    let cli = match djperf::cli::parse_args(std::env::args_os()) {
        Ok(cli) => cli,
        Err(code) => std::process::exit(code),
    };
    let code = std::panic::catch_unwind(|| djperf::cli::run(cli)).unwrap_or_else(|_| {
        eprintln!("djperf: error: internal error (a bug in djperf); please report it");
        2
    });
    std::process::exit(code);
}
