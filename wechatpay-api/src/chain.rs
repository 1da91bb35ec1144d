//! Where typed call chains start: `client.v3()…`.

use crate::runtime::{Client, PathArgs};
use crate::v3::V3;

impl Client {
    /// The root of the typed APIv3 chain: `client.v3().marketing()…post(&body).await`.
    pub fn v3(&self) -> V3<'_, Client> {
        V3::new(self, PathArgs::new())
    }
}

#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
impl crate::runtime::blocking::Client {
    /// The root of the typed APIv3 chain: `client.v3().marketing()…post(&body).send()`.
    pub fn v3(&self) -> V3<'_, crate::runtime::blocking::Client> {
        V3::new(self, PathArgs::new())
    }
}
