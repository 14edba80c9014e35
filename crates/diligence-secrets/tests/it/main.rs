//! Integration tests of the secret scanner.

mod rules;
