//! A role's definition as the role API takes it (`RoleDescriptor.parse`)
//! and checks it (`PutRoleRequest#validate`), with Elasticsearch's words.
//! What a role grants on this node is its cluster privileges and index
//! groups (see `composite_roles_store::to_role`); the rest is kept and shown
//! exactly.

use es_tokens_types::{
    ApplicationPrivileges, FieldSecurity, IndicesPrivileges, RemoteClusterPrivileges, RemoteIndicesPrivileges,
    RoleDescriptor,
};
use serde_json::{Map, Value};

use crate::authc::support::validation::{self, MAX_NAME_LENGTH, MAX_NATIVE_NAME_LENGTH, NameKind};
use crate::authz::index_privileges::IndexPrivilege;
use crate::authz::privilege_check::{unknown_cluster_privilege, unknown_index_privilege};
use crate::authz::privileges::ClusterPrivilege;
use crate::authz::roles::is_reserved_role;
use crate::common::xcontent::json_token as token;
use crate::error::ServiceError;

/// The longest description a role may have.
const MAX_DESCRIPTION_LENGTH: usize = 1000;

/// Reads the body of a put of role `name`.
pub fn parse(name: &str, body: &Value) -> Result<RoleDescriptor, ServiceError> {
    validation::validate_name(NameKind::Role, name, MAX_NAME_LENGTH)
        .map_err(|message| ServiceError::Validation(vec![message]))?;
    let error = |message: String| ServiceError::Parse(format!("failed to parse role [{name}]. {message}"));
    let Value::Object(fields) = body else {
        return Err(error(format!("expected an object but found [{}] instead", token(body))));
    };
    let mut role = RoleDescriptor {
        cluster: Vec::new(),
        global: None,
        indices: Vec::new(),
        applications: Vec::new(),
        run_as: Vec::new(),
        metadata: Map::new(),
        transient_metadata: enabled(),
        remote_indices: None,
        remote_cluster: None,
        description: None,
    };
    for (field, value) in fields {
        match field.as_str() {
            "cluster" => role.cluster = strings(value, field, &error)?,
            "indices" | "index" => {
                role.indices = list(value, field, &error)?
                    .iter()
                    .map(|entry| index_entry(name, "indices", entry, false).map(|(privileges, _)| privileges))
                    .collect::<Result<_, _>>()?;
            }
            "applications" | "application" => {
                role.applications = list(value, field, &error)?
                    .iter()
                    .map(|entry| application_entry(name, entry))
                    .collect::<Result<_, _>>()?;
            }
            "global" => match value {
                Value::Object(global) if global.is_empty() => role.global = None,
                Value::Object(global) => role.global = Some(global.clone()),
                other => {
                    return Err(error(format!(
                        "expected field [global] value to be an object, but found [{}] instead",
                        token(other)
                    )));
                }
            },
            "run_as" => role.run_as = strings(value, field, &error)?,
            "metadata" => match value {
                Value::Object(metadata) => role.metadata = metadata.clone(),
                other => {
                    return Err(error(format!(
                        "expected field [metadata] to be of type object, but found [{}] instead",
                        token(other)
                    )));
                }
            },
            // Elasticsearch's own, read and dropped.
            "transient_metadata" if value.is_object() => {}
            "transient_metadata" => {
                return Err(error(format!(
                    "expected field [transient_metadata] to be of type object, but found [{}] instead",
                    token(value)
                )));
            }
            "type" => {}
            "remote_indices" => {
                let entries = list(value, field, &error)?
                    .iter()
                    .map(|entry| {
                        let (indices, clusters) = index_entry(name, "remote_indices", entry, true)?;
                        Ok(RemoteIndicesPrivileges { indices, clusters: clusters.unwrap_or_default() })
                    })
                    .collect::<Result<Vec<_>, ServiceError>>()?;
                role.remote_indices = (!entries.is_empty()).then_some(entries);
            }
            "remote_cluster" => {
                let entries = list(value, field, &error)?
                    .iter()
                    .map(|entry| remote_cluster_entry(name, entry))
                    .collect::<Result<Vec<_>, _>>()?;
                role.remote_cluster = (!entries.is_empty()).then_some(entries);
            }
            "description" => match value {
                Value::String(text) => role.description = (!text.is_empty()).then(|| text.clone()),
                other => {
                    return Err(error(format!(
                        "expected field [description] to be of type string, but found [{}] instead",
                        token(other)
                    )));
                }
            },
            other => return Err(error(format!("unexpected field [{other}]"))),
        }
    }
    Ok(role)
}

/// The request's own validation (`PutRoleRequest#validate`): the name's
/// rules and reservation, then every privilege and the metadata.
pub fn validate(name: &str, role: &RoleDescriptor) -> Result<(), ServiceError> {
    let mut errors = Vec::new();
    if let Err(message) = validation::validate_name(NameKind::Role, name, MAX_NATIVE_NAME_LENGTH) {
        errors.push(message);
    } else if is_reserved_role(name) {
        errors.push(format!("Role [{name}] is reserved and may not be used."));
    }
    for privilege in &role.cluster {
        if ClusterPrivilege::resolve(privilege).is_none() {
            errors.push(unknown_cluster_privilege(privilege));
        }
    }
    let groups = role.indices.iter().chain(role.remote_indices.iter().flatten().map(|remote| &remote.indices));
    for group in groups {
        for privilege in &group.privileges {
            if IndexPrivilege::resolve(privilege).is_none() {
                errors.push(unknown_index_privilege(privilege));
            }
        }
    }
    for remote in role.remote_indices.iter().flatten() {
        if remote.clusters.iter().any(String::is_empty) {
            errors.push("remote index cluster alias cannot be an empty string".to_string());
        }
    }
    if role.metadata.keys().any(|key| key.starts_with('_')) {
        errors.push("role descriptor metadata keys may not start with [_]".to_string());
    }
    if role.description.as_ref().is_some_and(|text| text.chars().count() > MAX_DESCRIPTION_LENGTH) {
        errors.push(format!("Role description must be less than {MAX_DESCRIPTION_LENGTH} characters."));
    }
    if errors.is_empty() { Ok(()) } else { Err(ServiceError::ValidationFailed(errors)) }
}

/// `{"enabled":true}`: what Elasticsearch shows as a role's
/// `transient_metadata`.
pub fn enabled() -> Map<String, Value> {
    Map::from_iter([("enabled".to_string(), Value::Bool(true))])
}

fn list<'a>(
    value: &'a Value,
    field: &str,
    error: &dyn Fn(String) -> ServiceError,
) -> Result<&'a [Value], ServiceError> {
    match value {
        Value::Array(entries) => Ok(entries),
        other => {
            Err(error(format!("expected field [{field}] value to be an array, but found [{}] instead", token(other))))
        }
    }
}

/// A list of strings, or `error`'s parse error (`readStringArray`).
pub fn strings(
    value: &Value,
    field: &str,
    error: &dyn Fn(String) -> ServiceError,
) -> Result<Vec<String>, ServiceError> {
    let mismatch = || {
        error(format!("expected field [{field}] value to be an array of strings, but found [{}] instead", token(value)))
    };
    match value {
        Value::Array(items) => {
            items.iter().map(|item| item.as_str().map(str::to_string).ok_or_else(mismatch)).collect()
        }
        _ => Err(mismatch()),
    }
}

/// One entry of `indices` (or, `remote`, of `remote_indices`, with its
/// `clusters`) of role `role`, from the list named `list_field`
/// (`RoleDescriptor.parseIndex`, which `_has_privileges` reads its `index`
/// entries with too).
pub fn index_entry(
    role: &str,
    list_field: &str,
    entry: &Value,
    remote: bool,
) -> Result<(IndicesPrivileges, Option<Vec<String>>), ServiceError> {
    let kind = if remote { "remote indices" } else { "indices" };
    let error = |message: String| {
        ServiceError::Parse(format!("failed to parse {kind} privileges for role [{role}]. {message}"))
    };
    let Value::Object(fields) = entry else {
        return Err(error(format!(
            "expected field [{list_field}] value to be an array of objects, but found an array element of type [{}]",
            token(entry)
        )));
    };
    let (mut names, mut privileges, mut clusters) = (None, None, None);
    let mut group = IndicesPrivileges {
        names: Vec::new(),
        privileges: Vec::new(),
        field_security: None,
        query: None,
        allow_restricted_indices: false,
    };
    for (field, value) in fields {
        match field.as_str() {
            "names" => {
                let list = match value {
                    Value::String(name) => vec![name.clone()],
                    Value::Array(_) => strings(value, "names", &error)?,
                    other => {
                        return Err(error(format!(
                            "expected field [names] value to be a string or an array of strings, but found [{}] instead",
                            token(other)
                        )));
                    }
                };
                if list.is_empty() {
                    return Err(error("[names] cannot be an empty array".to_string()));
                }
                names = Some(list);
            }
            // null is as if the field were missing.
            "privileges" if value.is_null() => privileges = None,
            "privileges" => privileges = Some(strings(value, "privileges", &error)?),
            "clusters" if remote => clusters = Some(strings(value, "clusters", &error)?),
            "allow_restricted_indices" => {
                group.allow_restricted_indices = value.as_bool().ok_or_else(|| {
                    error(format!(
                        "expected field [allow_restricted_indices] value to be a boolean, but found [{}] instead",
                        token(value)
                    ))
                })?;
            }
            "query" => {
                group.query = match value {
                    Value::Null => None,
                    Value::String(text) if text.is_empty() => None,
                    Value::String(text) => Some(text.clone()),
                    Value::Object(_) => Some(value.to_string()),
                    other => {
                        return Err(error(format!(
                            "expected field [query] value to be null, a string, an array, or an object, but found [{}] instead",
                            token(other)
                        )));
                    }
                };
            }
            "field_security" => {
                let Value::Object(security) = value else {
                    return Err(error(format!(
                        "expected field [field_security] value to be an object, but found [{}] instead",
                        token(value)
                    )));
                };
                let mut field_security = FieldSecurity { grant: None, except: None };
                for (key, list) in security {
                    match key.as_str() {
                        "grant" => field_security.grant = Some(strings(list, "grant", &error)?),
                        "except" => field_security.except = Some(strings(list, "except", &error)?),
                        other => return Err(error(format!("unexpected field [{other}]"))),
                    }
                }
                group.field_security = Some(field_security);
            }
            "transient_metadata" => {}
            other => return Err(error(format!("unexpected field [{other}]"))),
        }
    }
    group.names = names.ok_or_else(|| error("missing required [names] field".to_string()))?;
    group.privileges = privileges.ok_or_else(|| error("missing required [privileges] field".to_string()))?;
    if remote && clusters.is_none() {
        return Err(error("missing required [clusters] field".to_string()));
    }
    Ok((group, clusters))
}

/// One application privilege entry of role `role` (also read by
/// `_has_privileges`, as `parseApplicationPrivilege` is).
pub fn application_entry(role: &str, entry: &Value) -> Result<ApplicationPrivileges, ServiceError> {
    let error = |message: String| {
        ServiceError::Parse(format!("failed to parse application privileges for role [{role}]. {message}"))
    };
    let Value::Object(fields) = entry else {
        return Err(error(format!("expected an object but found [{}] instead", token(entry))));
    };
    let (mut application, mut privileges, mut resources) = (None, None, None);
    for (field, value) in fields {
        match field.as_str() {
            "application" => {
                application = Some(value.as_str().map(str::to_string).ok_or_else(|| {
                    error(format!(
                        "expected field [application] value to be a string, but found [{}] instead",
                        token(value)
                    ))
                })?);
            }
            "privileges" => privileges = Some(strings(value, "privileges", &error)?),
            "resources" => resources = Some(strings(value, "resources", &error)?),
            other => return Err(error(format!("unexpected field [{other}]"))),
        }
    }
    let missing = |field: &str| error(format!("missing required [{field}] field"));
    Ok(ApplicationPrivileges {
        application: application.ok_or_else(|| missing("application"))?,
        privileges: privileges.ok_or_else(|| missing("privileges"))?,
        resources: resources.ok_or_else(|| missing("resources"))?,
    })
}

fn remote_cluster_entry(role: &str, entry: &Value) -> Result<RemoteClusterPrivileges, ServiceError> {
    let error =
        |message: String| ServiceError::Parse(format!("failed to parse remote_cluster for role [{role}]. {message}"));
    let Value::Object(fields) = entry else {
        return Err(error(format!("expected an object but found [{}] instead", token(entry))));
    };
    let (mut privileges, mut clusters) = (None, None);
    for (field, value) in fields {
        match field.as_str() {
            "privileges" => privileges = Some(strings(value, "privileges", &error)?),
            "clusters" => clusters = Some(strings(value, "clusters", &error)?),
            other => return Err(error(format!("unexpected field [{other}]"))),
        }
    }
    let missing = |field: &str| error(format!("missing required [{field}] field"));
    Ok(RemoteClusterPrivileges {
        privileges: privileges.ok_or_else(|| missing("privileges"))?,
        clusters: clusters.ok_or_else(|| missing("clusters"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_role_as_the_api_shows_it() {
        let body = json!({
            "description": "",
            "cluster": ["monitor"],
            "indices": [{"names": "logs-*", "privileges": ["read"], "query": {"match_all": {}}}],
            "metadata": {"version": 1},
            "transient_metadata": {"enabled": false}
        });
        let role = parse("ops", &body).unwrap();
        assert_eq!(
            serde_json::to_value(&role).unwrap(),
            json!({
                "cluster": ["monitor"],
                "indices": [{"names": ["logs-*"], "privileges": ["read"], "query": "{\"match_all\":{}}",
                             "allow_restricted_indices": false}],
                "applications": [],
                "run_as": [],
                "metadata": {"version": 1},
                "transient_metadata": {"enabled": true}
            })
        );
        assert!(validate("ops", &role).is_ok());
    }

    #[test]
    fn elasticsearchs_errors() {
        let error = |name: &str, body: Value| parse(name, &body).err().unwrap().to_string();
        assert_eq!(error("r", json!({"clusters": []})), "failed to parse role [r]. unexpected field [clusters]");
        assert_eq!(
            error("r", json!({"indices": [{"names": [], "privileges": ["read"]}]})),
            "failed to parse indices privileges for role [r]. [names] cannot be an empty array"
        );
        assert!(
            error(" r", json!({}))
                .starts_with("Validation Failed: 1: Role names must be at least 1 and no more than 1024")
        );
        let invalid = |name: &str, body: Value| validate(name, &parse(name, &body).unwrap()).unwrap_err().to_string();
        assert_eq!(
            invalid("superuser", json!({})),
            "Validation Failed: 1: Role [superuser] is reserved and may not be used.;"
        );
        assert!(invalid("r", json!({"cluster": ["manage_everything"]})).starts_with(
            "Validation Failed: 1: unknown cluster privilege [manage_everything]. a privilege must be either one of the \
             predefined cluster privilege names ["
        ));
        assert_eq!(
            invalid("r", json!({"metadata": {"_x": 1}})),
            "Validation Failed: 1: role descriptor metadata keys may not start with [_];"
        );
    }

    #[test]
    fn a_null_query_or_privileges_is_a_missing_one() {
        let role = parse("r", &json!({"indices": [{"names": "a", "privileges": ["read"], "query": null}]})).unwrap();
        assert_eq!(role.indices[0].query, None);
        assert_eq!(
            parse("r", &json!({"indices": [{"names": "a", "privileges": null}]})).unwrap_err().to_string(),
            "failed to parse indices privileges for role [r]. missing required [privileges] field"
        );
        // The text names arrays, but Elasticsearch refuses them too.
        assert_eq!(
            parse("r", &json!({"indices": [{"names": "a", "privileges": ["read"], "query": []}]}))
                .unwrap_err()
                .to_string(),
            "failed to parse indices privileges for role [r]. expected field [query] value to be null, a string, \
             an array, or an object, but found [START_ARRAY] instead"
        );
    }
}
