//! The open-loop HTTP load generator (being built).
