//! Tells the integration tests whether PostgreSQL is there: with
//! `ES_TOKENS_TEST_POSTGRES_URL` set, or under `CI=true` (where a missing
//! database must fail, not be skipped), the PostgreSQL tests run; otherwise
//! they are ignored, and the test summary says so.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rerun-if-env-changed=ES_TOKENS_TEST_POSTGRES_URL");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-changed=build.rs");
    let postgres = std::env::var_os("ES_TOKENS_TEST_POSTGRES_URL").is_some_and(|url| !url.is_empty());
    if postgres || std::env::var("CI").as_deref() == Ok("true") {
        println!("cargo::rustc-cfg=postgres_tests");
    }
}
