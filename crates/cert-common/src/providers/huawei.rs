//! Huawei protocol pieces shared by this vendor's API crates.
