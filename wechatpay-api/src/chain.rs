//! Where typed call chains start: `client.v3()…` and `client.v2()…`.

use crate::runtime::{Client, PathArgs};
use crate::v2::V2;
use crate::v3::V3;

impl Client {
    /// The root of the typed APIv3 chain: `client.v3().marketing()…post(&body).await`.
    pub fn v3(&self) -> V3<'_, Client> {
        V3::new(self, PathArgs::new())
    }

    /// The root of the typed APIv2 chain (XML): `client.v2().pay().orderquery().post(&request)
    /// .await`. Each v2 area is a cargo feature (`v2-pay`, `v2-secapi`, …; `v2` for all).
    pub fn v2(&self) -> V2<'_, Client> {
        V2::new(self, PathArgs::new())
    }
}

#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
impl crate::runtime::blocking::Client {
    /// The root of the typed APIv3 chain: `client.v3().marketing()…post(&body).send()`.
    pub fn v3(&self) -> V3<'_, crate::runtime::blocking::Client> {
        V3::new(self, PathArgs::new())
    }

    /// The root of the typed APIv2 chain (XML): `client.v2().pay().orderquery().post(&request)
    /// .send()`.
    pub fn v2(&self) -> V2<'_, crate::runtime::blocking::Client> {
        V2::new(self, PathArgs::new())
    }
}
