//! Integration tests of the PDF renderer.

mod pdf;
mod sample;
mod secrets;
