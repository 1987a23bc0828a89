//! `elasticsearch-service-tokens`, run as a process: Elasticsearch's output,
//! errors and exit codes.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

fn cli(conf_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_elasticsearch-service-tokens"))
        .args(args)
        .env("ES_PATH_CONF", conf_dir)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn last_stderr_line(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap().lines().last().unwrap_or_default().to_string()
}

#[test]
fn create_list_delete() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path();
    let created = cli(conf, &["create", "elastic/fleet-server", "token-b"]);
    assert_eq!(created.status.code(), Some(0), "{created:?}");
    let line = stdout(&created);
    let prefix = "SERVICE_TOKEN elastic/fleet-server/token-b = ";
    assert!(line.starts_with(prefix) && line.ends_with('\n'), "{line}");
    let bearer = line[prefix.len()..].trim();
    let token = es_tokens_server::testing::ServiceAccountToken::parse(bearer).unwrap();
    assert_eq!(token.key().qualified(), "elastic/fleet-server/token-b");

    let path = conf.join("service_tokens");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let content = std::fs::read_to_string(&path).unwrap();
    assert!(content.starts_with("elastic/fleet-server/token-b:{PBKDF2_STRETCH}10000$"), "{content}");
    assert!(es_tokens_server::testing::verify_hash(token.secret(), content.trim().split_once(':').unwrap().1));

    assert_eq!(cli(conf, &["create", "elastic/kibana", "token-a"]).status.code(), Some(0));
    assert_eq!(cli(conf, &["create", "elastic/fleet-server", "token-a"]).status.code(), Some(0));
    assert_eq!(
        stdout(&cli(conf, &["list"])),
        "elastic/fleet-server/token-a\nelastic/fleet-server/token-b\nelastic/kibana/token-a\n"
    );
    assert_eq!(stdout(&cli(conf, &["list", "elastic/kibana"])), "elastic/kibana/token-a\n");

    let deleted = cli(conf, &["delete", "elastic/fleet-server", "token-b"]);
    assert_eq!(deleted.status.code(), Some(0));
    assert_eq!(stdout(&deleted), "");
    assert_eq!(stdout(&cli(conf, &["list", "elastic/fleet-server"])), "elastic/fleet-server/token-a\n");
}

#[test]
fn errors_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path();
    assert_eq!(cli(conf, &["create", "elastic/fleet-server", "t"]).status.code(), Some(0));
    let cases: [(&[&str], i32, &str); 9] = [
        (&["create", "elastic/fleet-server", "t"], 70, "ERROR: Service token [elastic/fleet-server/t] already exists"),
        (
            &["delete", "elastic/fleet-server", "nope"],
            70,
            "ERROR: Service token [elastic/fleet-server/nope] does not exist",
        ),
        (
            &["create", "elastic/nope", "t"],
            67,
            "ERROR: Unknown service account principal: [elastic/nope]. Must be one of \
             [elastic/auto-ops,elastic/fleet-server,elastic/fleet-server-remote,elastic/kibana]",
        ),
        (
            &["list", "elastic/nope"],
            67,
            "ERROR: Unknown service account principal: [elastic/nope]. Must be one of \
             [elastic/auto-ops,elastic/fleet-server,elastic/fleet-server-remote,elastic/kibana]",
        ),
        (
            &["create", "elastic/fleet-server", "_t"],
            70,
            "ERROR: invalid service token name [_t]. service account token name must have at least 1 character and \
             at most 256 characters that are alphanumeric (A-Z, a-z, 0-9) or hyphen (-) or underscore (_). It must \
             not begin with an underscore (_).",
        ),
        (&["create"], 64, "ERROR: Missing service-account-principal and token-name arguments"),
        (&["create", "elastic/fleet-server"], 64, "ERROR: Missing token-name argument"),
        (
            &["create", "elastic/fleet-server", "a", "b", "c"],
            64,
            "ERROR: Expected two arguments, service-account-principal and token-name, found extra: [b,c]",
        ),
        (
            &["list", "elastic/fleet-server", "x"],
            64,
            "ERROR: Expected at most one argument, service-account-principal, found extra: [x]",
        ),
    ];
    for (args, code, message) in cases {
        let output = cli(conf, args);
        assert_eq!(output.status.code(), Some(code), "{args:?}");
        assert_eq!(last_stderr_line(&output), message, "{args:?}");
        assert_eq!(stdout(&output), "", "{args:?}");
    }
    // The failed commands left the file as it was.
    assert_eq!(stdout(&cli(conf, &["list"])), "elastic/fleet-server/t\n");
}
