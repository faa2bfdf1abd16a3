//! The code and the documents cite only files a clone of the repository
//! has: every path they name under one of its folders exists.

use std::path::Path;

const FOLDERS: [&str; 9] = [
    "docs/",
    "src/",
    "assets/",
    "config/",
    "migration/",
    "tests/",
    "tasks/",
    "workers/",
    ".ci/",
];

fn files_under(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        // Installed packages and what the tests save are not the
        // repository's (.gitignore).
        if path.ends_with("node_modules") {
            continue;
        }
        if path.is_dir() {
            files_under(&path, found);
        } else if path
            .extension()
            .is_some_and(|ext| ext == "rs" || ext == "md" || ext == "toml")
        {
            found.push(path);
        }
    }
}

/// Paths such as `src/models/write.rs` or `docs/architecture.md` in `text`.
fn cited(text: &str) -> Vec<&str> {
    let mut paths = Vec::new();
    for (start, _) in text.match_indices('/') {
        let from = text[..start]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |at| at + 1);
        let head = &text[from..=start];
        if !FOLDERS.contains(&head) || (from > 0 && text[..from].ends_with('/')) {
            continue;
        }
        let end = text[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || "_./-".contains(c)))
            .map_or(text.len(), |at| start + at);
        let path = text[from..end].trim_end_matches(['.', '/']);
        // A file, not a folder or a route.
        if Path::new(path).extension().is_some() {
            paths.push(path);
        }
    }
    paths
}

#[test]
fn every_file_the_code_and_the_documents_cite_exists() {
    let mut files = vec!["README.md".into(), "Cargo.toml".into()];
    for dir in ["src", "tasks", "workers", "tests", "migration/src", "docs"] {
        files_under(Path::new(dir), &mut files);
    }
    let mut checked = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for path in cited(&text) {
            assert!(
                Path::new(path).exists(),
                "{} cites {path}, which the repository does not have",
                file.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} citations found");
}
