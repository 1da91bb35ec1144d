//! Media uploads through the generated `/v3/merchant/media/{upload,video_upload}` operations:
//! the caller gives a [`MediaFile`]; its kind picks the endpoint and its digest fills the meta.

use crate::runtime::media::{MediaFile, MediaKind};
use crate::runtime::{Client, Error};
use crate::v3::merchant::media::upload::PostMeta;

impl From<&MediaFile> for PostMeta {
    fn from(file: &MediaFile) -> PostMeta {
        PostMeta {
            sha256: file.sha256().to_owned(),
            filename: file.file_name().to_owned(),
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "merchant")))]
impl Client {
    /// Uploads an image (`/v3/merchant/media/upload`) or a video (`…/video_upload`), as the
    /// file's extension says, and returns its `media_id`.
    pub async fn upload_media(&self, file: &MediaFile) -> Result<String, Error> {
        let media = self.v3().merchant().media();
        let meta = PostMeta::from(file);
        let answer = match file.kind() {
            MediaKind::Image => media.upload().post(file.file_part(), &meta).await?,
            MediaKind::Video => media.video_upload().post(file.file_part(), &meta).await?,
        };
        Ok(answer.media_id)
    }
}

#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(all(feature = "merchant", feature = "blocking"))))]
impl crate::runtime::blocking::Client {
    /// Uploads an image or a video, as the file's extension says, and returns its `media_id`.
    pub fn upload_media(&self, file: &MediaFile) -> Result<String, Error> {
        let media = self.v3().merchant().media();
        let meta = PostMeta::from(file);
        let answer = match file.kind() {
            MediaKind::Image => media.upload().post(file.file_part(), &meta).send()?,
            MediaKind::Video => media.video_upload().post(file.file_part(), &meta).send()?,
        };
        Ok(answer.media_id)
    }
}
