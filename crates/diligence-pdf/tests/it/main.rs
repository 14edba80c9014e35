//! Integration tests of the PDF renderer.

mod pdf;
mod sample;
