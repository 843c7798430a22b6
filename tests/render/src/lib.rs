//! Nothing here: the check is in `tests/`.
