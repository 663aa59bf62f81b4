//! Links GCC's unwinder into the binary on Linux with glibc (`libgcc_eh.a`, what
//! `gcc -static-libgcc` links), so that the dynamic loader no longer opens, maps and searches
//! `libgcc_s.so.1` at every start: std refers to the unwinder (`_Unwind_*`) on every target,
//! and `--as-needed` drops `libgcc_s` once the archive, placed before it, has defined them.
//! `oauthcli token` on a good token starts faster by it (CONTRIBUTING, "Performance").
//! glibc, the one library still loaded, stays shared: its name lookups (NSS) load modules
//! that must match it.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let var = |name| std::env::var(name).unwrap_or_default();
    // With crt-static, std links libgcc_eh itself.
    let crt_static = var("CARGO_CFG_TARGET_FEATURE")
        .split(',')
        .any(|f| f == "crt-static");
    if var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu" && !crt_static
    {
        // -bundle: found by the C compiler driver at the final link (in GCC's own directory),
        // not copied into the rlib.
        println!("cargo:rustc-link-lib=static:-bundle=gcc_eh");
    }
}
