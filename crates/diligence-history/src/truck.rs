//! Truck factor by degree of authorship (Avelino, Passos, Hora and Valente,
//! "A novel approach for estimating truck factors", ICPC 2016).
//!
//! For each file and each author who touched it,
//! `DOA = 3.293 + 1.098·FA + 0.164·DL − 0.321·ln(1 + AC)`, where `FA` is 1
//! when the author created the file, `DL` counts the author's changes to it
//! (the creation included) and `AC` counts changes by everyone else. An
//! author *authors* a file when their DOA is at least 3.293 and above 0.75
//! of the file's highest DOA. The truck factor is the number of top authors
//! (by files authored, ties by name) that must be removed before fewer than
//! half of the files have an author left.

use std::collections::BTreeMap;

/// The change history of one file, as seen from HEAD.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileAuthorship {
    /// Path at HEAD.
    pub path: String,
    /// The author of the commit that created the file, when known.
    pub creator: Option<String>,
    /// Changes per author (the creating commit included).
    pub changes: BTreeMap<String, u32>,
}

/// A truck-factor estimate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TruckFactor {
    /// The truck factor: how many people would have to leave before more
    /// than half of the files lose every author.
    pub value: usize,
    /// The people removed, in order, with how many files each authors.
    pub key_people: Vec<(String, usize)>,
    /// Files considered.
    pub files: usize,
    /// Files with at least one author.
    pub authored_files: usize,
}

/// Degree of authorship of one author on one file.
pub fn degree_of_authorship(created: bool, own_changes: u32, others_changes: u32) -> f64 {
    3.293 + 1.098 * f64::from(u8::from(created)) + 0.164 * f64::from(own_changes)
        - 0.321 * (1.0 + f64::from(others_changes)).ln()
}

/// The authors of one file, sorted by name.
pub fn file_authors(file: &FileAuthorship) -> Vec<&str> {
    let total: u32 = file.changes.values().sum();
    let mut names: Vec<&str> = file.changes.keys().map(String::as_str).collect();
    if let Some(creator) = &file.creator
        && !file.changes.contains_key(creator)
    {
        names.push(creator);
        names.sort_unstable();
    }
    let doa: Vec<(&str, f64)> = names
        .into_iter()
        .map(|name| {
            let own = file.changes.get(name).copied().unwrap_or(0);
            let created = file.creator.as_deref() == Some(name);
            (name, degree_of_authorship(created, own, total - own))
        })
        .collect();
    let max = doa.iter().map(|(_, d)| *d).fold(f64::MIN, f64::max);
    if max <= 0.0 {
        return Vec::new();
    }
    doa.into_iter()
        .filter(|(_, d)| *d >= 3.293 && d / max > 0.75)
        .map(|(name, _)| name)
        .collect()
}

/// Computes the truck factor over a set of files.
pub fn truck_factor(files: &[FileAuthorship]) -> TruckFactor {
    let authors_of: Vec<Vec<&str>> = files.iter().map(file_authors).collect();
    let mut files_of: BTreeMap<&str, usize> = BTreeMap::new();
    for authors in &authors_of {
        for name in authors {
            *files_of.entry(name).or_default() += 1;
        }
    }
    let authored_files = authors_of.iter().filter(|a| !a.is_empty()).count();
    let mut removed: Vec<(String, usize)> = Vec::new();
    let mut gone: Vec<&str> = Vec::new();
    loop {
        let covered = authors_of
            .iter()
            .filter(|authors| authors.iter().any(|a| !gone.contains(a)))
            .count();
        if covered * 2 < files.len() || covered == 0 {
            break;
        }
        // Most files first; BTreeMap order breaks ties by name.
        let Some((&name, &count)) = files_of
            .iter()
            .filter(|(name, _)| !gone.contains(name))
            .fold(None, |best: Option<(&&str, &usize)>, item| match best {
                Some(b) if *b.1 >= *item.1 => Some(b),
                _ => Some(item),
            })
        else {
            break;
        };
        gone.push(name);
        removed.push((name.to_owned(), count));
    }
    TruckFactor {
        value: removed.len(),
        key_people: removed,
        files: files.len(),
        authored_files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, creator: &str, changes: &[(&str, u32)]) -> FileAuthorship {
        FileAuthorship {
            path: path.to_owned(),
            creator: Some(creator.to_owned()),
            changes: changes.iter().map(|(n, c)| ((*n).to_owned(), *c)).collect(),
        }
    }

    #[test]
    fn doa_formula() {
        let d = degree_of_authorship(true, 1, 0);
        assert!((d - (3.293 + 1.098 + 0.164)).abs() < 1e-9);
        let d = degree_of_authorship(false, 0, 10);
        assert!((d - (3.293 - 0.321 * 11f64.ln())).abs() < 1e-9);
    }

    #[test]
    fn sole_author_gives_one() {
        let files: Vec<_> = (0..4)
            .map(|i| file(&format!("f{i}"), "ann", &[("ann", 3)]))
            .collect();
        let tf = truck_factor(&files);
        assert_eq!(tf.value, 1);
        assert_eq!(tf.key_people, vec![("ann".to_owned(), 4)]);
    }

    #[test]
    fn two_disjoint_halves_give_two() {
        let mut files = Vec::new();
        for i in 0..3 {
            files.push(file(&format!("a{i}"), "ann", &[("ann", 2)]));
            files.push(file(&format!("b{i}"), "bob", &[("bob", 2)]));
        }
        let tf = truck_factor(&files);
        // Removing ann (tie on 3 files, ann first by name) leaves 3 of 6
        // covered, not fewer than half; removing bob then leaves none.
        assert_eq!(tf.value, 2);
        assert_eq!(tf.key_people[0].0, "ann");
    }

    #[test]
    fn majority_owner_dominates() {
        // ann owns 5 files, bob and cat one each: removing ann leaves 2 of 7.
        let mut files: Vec<_> = (0..5)
            .map(|i| file(&format!("a{i}"), "ann", &[("ann", 4)]))
            .collect();
        files.push(file("b", "bob", &[("bob", 1)]));
        files.push(file("c", "cat", &[("cat", 1)]));
        assert_eq!(truck_factor(&files).value, 1);
    }

    #[test]
    fn heavy_editor_becomes_author() {
        // Created by ann once, then bob changed it 20 times: bob's DOA
        // 3.293 + 3.28 - 0.321 ln 2 dwarfs ann's 4.391 - 0.321 ln 21.
        let f = file("x", "ann", &[("ann", 1), ("bob", 20)]);
        assert_eq!(file_authors(&f), vec!["bob"]);
        // Shared evenly, both are authors.
        let f = file("y", "ann", &[("ann", 5), ("bob", 5)]);
        assert_eq!(file_authors(&f), vec!["ann", "bob"]);
    }

    #[test]
    fn empty_input() {
        assert_eq!(truck_factor(&[]), TruckFactor::default());
    }
}
