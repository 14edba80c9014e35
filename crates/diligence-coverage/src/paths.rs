//! Mapping the paths a coverage report names to files of the repository.
//!
//! Reports are written on other machines: absolute CI paths
//! (`/home/runner/work/app/app/src/a.js`), Windows paths
//! (`C:\build\src\a.cs`), Go import paths (`example.com/m/pkg/a.go`), paths
//! relative to a package directory or to a Cobertura `<source>`. The
//! mapper tries, in order: the path itself; the path under each source
//! root; the path relative to the report's directory and its ancestors;
//! then the repository file sharing the longest run of trailing path
//! components with it (at least the file name and one directory, or the
//! file name alone when only one file bears it). Ties go to the file
//! nearest the report, and a file that still
//! ties is not guessed: the path counts as missing.

use std::collections::{BTreeMap, BTreeSet};

/// Normalises a report path: `/` separators, no `file://`, no drive
/// letter, no `.` segments, `..` resolved lexically.
pub fn normalise(path: &str) -> String {
    let mut path = path.trim().replace('\\', "/");
    if let Some(rest) = path.strip_prefix("file://") {
        path = rest.to_owned();
    }
    let bytes = path.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        path = path[2..].to_owned();
    }
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Maps report paths to repository files.
#[derive(Debug)]
pub struct PathMapper {
    files: BTreeSet<String>,
    by_name: BTreeMap<String, Vec<String>>,
}

impl PathMapper {
    /// A mapper over the repository's files (`/`-separated, relative).
    pub fn new<'a>(files: impl IntoIterator<Item = &'a str>) -> Self {
        let mut set = BTreeSet::new();
        let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for file in files {
            set.insert(file.to_owned());
            let name = file.rsplit('/').next().unwrap_or(file);
            by_name
                .entry(name.to_owned())
                .or_default()
                .push(file.to_owned());
        }
        Self {
            files: set,
            by_name,
        }
    }

    /// The repository file a report path names, if any. `report_dir` is the
    /// report's own directory in the repository (empty for the root or a
    /// report outside it); `sources` are the report's source roots.
    pub fn map(&self, path: &str, report_dir: &str, sources: &[String]) -> Option<String> {
        let path = normalise(path);
        if path.is_empty() {
            return None;
        }
        let mut candidates = Vec::new();
        if !path.starts_with('/') {
            candidates.push(path.clone());
            for source in sources {
                let source = normalise(source);
                candidates.push(normalise(&format!("{source}/{path}")));
            }
            let mut dir = normalise(report_dir);
            while !dir.is_empty() && !dir.starts_with('/') {
                candidates.push(format!("{dir}/{path}"));
                dir = dir
                    .rsplit_once('/')
                    .map_or(String::new(), |(d, _)| d.to_owned());
            }
        }
        for candidate in candidates {
            let candidate = candidate.trim_start_matches('/');
            if self.files.contains(candidate) {
                return Some(candidate.to_owned());
            }
        }
        self.by_suffix(&path, report_dir)
    }

    fn by_suffix(&self, path: &str, report_dir: &str) -> Option<String> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let name = parts.last()?;
        let same_name = self.by_name.get(*name)?;
        // The best (shared components, nearness to the report), and whether
        // another file ties with it: a tie is ambiguous, so no guess.
        let mut best: Option<(usize, usize, &String)> = None;
        let mut tied = false;
        for file in same_name {
            let shared = parts
                .iter()
                .rev()
                .zip(file.split('/').rev())
                .take_while(|(a, b)| **a == *b)
                .count();
            let key = (shared, common_prefix(file, report_dir));
            match best {
                Some((s, n, _)) if (s, n) == key => tied = true,
                Some((s, n, _)) if (s, n) > key => {}
                _ => {
                    best = Some((key.0, key.1, file));
                    tied = false;
                }
            }
        }
        let (shared, _, file) = best?;
        (!tied && (shared >= 2 || same_name.len() == 1)).then(|| file.clone())
    }
}

/// How many leading path components two paths share.
fn common_prefix(a: &str, b: &str) -> usize {
    a.split('/')
        .zip(b.split('/'))
        .take_while(|(x, y)| x == y)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapper() -> PathMapper {
        PathMapper::new([
            "src/a.js",
            "web/src/util.ts",
            "api/src/util.ts",
            "pkg/calc/calc.go",
            "app/models.py",
            "lib/only.rb",
        ])
    }

    #[test]
    fn normalises_foreign_paths() {
        assert_eq!(normalise("C:\\build\\src\\a.cs"), "/build/src/a.cs");
        assert_eq!(normalise("./src/../src/a.js"), "src/a.js");
        assert_eq!(normalise("file:///home/x/a.js"), "/home/x/a.js");
    }

    #[test]
    fn maps_by_exact_source_dir_and_suffix() {
        let m = mapper();
        assert_eq!(m.map("src/a.js", "", &[]).as_deref(), Some("src/a.js"));
        assert_eq!(
            m.map("/home/runner/work/x/x/src/a.js", "", &[]).as_deref(),
            Some("src/a.js")
        );
        assert_eq!(
            m.map("D:\\a\\x\\src\\a.js", "", &[]).as_deref(),
            Some("src/a.js")
        );
        assert_eq!(
            m.map("example.com/m/pkg/calc/calc.go", "", &[]).as_deref(),
            Some("pkg/calc/calc.go")
        );
        assert_eq!(
            m.map("models.py", "", &["/ci/app".to_owned()]).as_deref(),
            Some("app/models.py")
        );
        assert_eq!(
            m.map("src/util.ts", "api/coverage", &[]).as_deref(),
            Some("api/src/util.ts")
        );
        assert_eq!(
            m.map("src/util.ts", "web/coverage", &[]).as_deref(),
            Some("web/src/util.ts")
        );
        assert_eq!(m.map("/x/only.rb", "", &[]).as_deref(), Some("lib/only.rb"));
    }

    #[test]
    fn does_not_guess() {
        let m = mapper();
        assert_eq!(m.map("gone/b.js", "", &[]), None);
        // Two files named util.ts and nothing else shared: no guess.
        assert_eq!(m.map("/other/util.ts", "", &[]), None);
        assert_eq!(m.map("", "", &[]), None);
    }
}
