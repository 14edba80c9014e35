//! The typst world: embedded or overridden templates, the report data as a
//! virtual JSON file, embedded fonts, and a pinned date. Nothing outside
//! it can be read: package imports and other paths are denied.

use std::collections::BTreeMap;
use std::sync::Arc;

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// Fonts parsed once per renderer: typst's own serif, maths and monospace
/// families and Noto Sans for the text.
#[derive(Debug)]
pub(crate) struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

impl Fonts {
    pub(crate) fn embedded() -> Self {
        let sans: [&'static [u8]; 4] = [
            notosans::REGULAR_TTF,
            notosans::BOLD_TTF,
            notosans::ITALIC_TTF,
            notosans::BOLD_ITALIC_TTF,
        ];
        let fonts: Vec<Font> = typst_assets::fonts()
            .chain(sans)
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        Self {
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    }
}

/// One compilation's world.
pub(crate) struct ReportWorld<'a> {
    library: &'a LazyHash<Library>,
    fonts: &'a Fonts,
    main: FileId,
    sources: BTreeMap<String, Source>,
    files: BTreeMap<String, Bytes>,
    today: Option<Datetime>,
}

/// The file id of a path at the project root (`/report.typ`).
pub(crate) fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl<'a> ReportWorld<'a> {
    /// A world whose main file is `main`; `templates` maps file names to
    /// typst markup, `files` maps file names to other bytes (data, logo).
    pub(crate) fn new(
        library: &'a LazyHash<Library>,
        fonts: &'a Fonts,
        main: &str,
        templates: &BTreeMap<String, String>,
        files: BTreeMap<String, Bytes>,
        today: Option<Datetime>,
    ) -> Option<Self> {
        let mut sources = BTreeMap::new();
        for (name, text) in templates {
            let id = file_id(name)?;
            sources.insert(name.clone(), Source::new(id, text.clone()));
        }
        Some(Self {
            library,
            fonts,
            main: file_id(main)?,
            sources,
            files,
            today,
        })
    }

    fn name(id: FileId) -> FileResult<String> {
        let path = id.get();
        if !matches!(path.root(), VirtualRoot::Project) {
            // No package is ever downloaded or read from disk.
            return Err(FileError::Package(PackageError::Other(Some(
                "package imports are not available in report templates".into(),
            ))));
        }
        Ok(path.vpath().get_without_slash().to_owned())
    }
}

/// The standard library, built once per renderer.
pub(crate) fn library() -> Arc<LazyHash<Library>> {
    Arc::new(LazyHash::new(Library::builder().build()))
}

impl World for ReportWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        let name = Self::name(id)?;
        match self.sources.get(&name) {
            Some(source) => Ok(source.clone()),
            None if self.files.contains_key(&name) => Err(FileError::NotSource),
            None => Err(FileError::NotFound(name.into())),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let name = Self::name(id)?;
        if let Some(bytes) = self.files.get(&name) {
            return Ok(bytes.clone());
        }
        match self.sources.get(&name) {
            Some(source) => Ok(Bytes::from_string(source.clone())),
            None => Err(FileError::NotFound(name.into())),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}
