//! "Did you mean" suggestions, scored as Elasticsearch scores them: Lucene's
//! `LevenshteinDistance`, a similarity of `1 - edits / longer length`.

/// The candidates more similar to `input` than `threshold`, most similar
/// first, ties by name.
pub fn similar<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>, threshold: f64) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|candidate| (strsim::normalized_levenshtein(input, candidate), candidate))
        .filter(|(score, _)| *score > threshold)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().map(|(_, candidate)| candidate).collect()
}

/// Renders suggestions the way Elasticsearch lists them: `[a]` or
/// `any of [a, b]`.
pub fn render(suggestions: &[&str]) -> String {
    match suggestions {
        [one] => format!("[{one}]"),
        many => format!("any of [{}]", many.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_first() {
        assert_eq!(similar("prety", ["pretty", "human", "format"], 0.5), vec!["pretty"]);
        assert_eq!(similar("cluster.nme", ["cluster.name", "node.name"], 0.7), vec!["cluster.name"]);
        assert!(similar("zzz", ["pretty"], 0.5).is_empty());
    }

    #[test]
    fn rendering() {
        assert_eq!(render(&["a"]), "[a]");
        assert_eq!(render(&["a", "b"]), "any of [a, b]");
    }
}
