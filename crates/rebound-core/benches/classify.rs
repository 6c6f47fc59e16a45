//! Classification throughput benchmark (written with the rules).
fn main() {}
