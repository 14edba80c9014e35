//! Integration tests of the `tests` collector and the coverage parsers.
