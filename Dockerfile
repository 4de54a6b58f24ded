# The presign API as a container. Credentials are never part of the image: pass them in the
# environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), mount ~/.aws
# read-only and set AWS_PROFILE, or let container/instance metadata provide them.
#
#   docker build -t uploadkit .
#   docker run -p 8080:8080 -e UPLOADKIT_GRANT_KEY -e UPLOADKIT_ALLOWED_ORIGINS \
#     -e AWS_PROFILE=uploads -v ~/.aws:/home/uploadkit/.aws:ro uploadkit
#
# `--build-arg BINARY=prebuilt --build-context uploadkit-bin=target/release` puts a binary built
# on a Debian bookworm host into the same runtime image instead of compiling it in the `build`
# stage (tests/container/image.test.mjs builds the image that way). The stage not chosen is
# skipped, as BuildKit and buildah skip stages the target does not use.

ARG BINARY=build

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p uploadkit-cli && cp target/release/uploadkit /uploadkit

FROM scratch AS prebuilt
COPY --from=uploadkit-bin uploadkit /uploadkit

FROM ${BINARY} AS binary

FROM debian:bookworm-slim
RUN useradd --create-home --uid 10001 uploadkit
COPY --from=binary /uploadkit /usr/local/bin/uploadkit
USER uploadkit
ENV HOME=/home/uploadkit UPLOADKIT_LISTEN=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["uploadkit", "serve"]
