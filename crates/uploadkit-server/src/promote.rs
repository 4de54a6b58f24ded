//! Drives `uploadkit_api::promote::Promotion` over HTTP: the native service's `POST
//! /v1/logos/promote` and `uploadkit promote-logo` send what it asks and hand back what S3 said.

use uploadkit_api::promote::{PromoteError, Promotion, S3Reply, Step};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::s3::{ObjectKey, S3Target};
use uploadkit_core::sigv4::Signer;

/// Runs a promotion to its end.
pub async fn run(
    http: &reqwest::Client,
    signer: &Signer,
    target: &S3Target,
    mut promotion: Promotion,
) -> Result<ObjectKey, PromoteError> {
    let now = || SigningTime::new(time::OffsetDateTime::now_utc());
    let mut step = promotion.start(signer, target, now());
    loop {
        match step {
            Step::Done(result) => return result,
            Step::Send {
                method,
                request,
                body,
            } => {
                let mut builder = http
                    .request(
                        method.parse().expect("the machine's methods are valid"),
                        &request.url,
                    )
                    .body(body);
                for (k, v) in &request.headers {
                    builder = builder.header(k, v);
                }
                step = match builder.send().await {
                    Err(e) => promotion.network_failed(crate::http::describe(e)),
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let headers = crate::http::header_pairs(response.headers());
                        match response.bytes().await {
                            Ok(body) => promotion.next(
                                &S3Reply {
                                    status,
                                    headers,
                                    body: body.to_vec(),
                                },
                                signer,
                                target,
                                now(),
                            ),
                            Err(e) => promotion.network_failed(crate::http::describe(e)),
                        }
                    }
                };
            }
        }
    }
}
