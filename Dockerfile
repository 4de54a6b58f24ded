# The presign API as a container. Credentials are never part of the image: pass them in the
# environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), mount ~/.aws
# read-only and set AWS_PROFILE, or let container/instance metadata provide them.
#
#   docker build -t uploadkit .
#   docker run -p 8080:8080 -e UPLOADKIT_GRANT_KEY -e UPLOADKIT_ALLOWED_ORIGINS \
#     -e AWS_PROFILE=uploads -v ~/.aws:/home/uploadkit/.aws:ro uploadkit

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p uploadkit-cli

FROM debian:bookworm-slim
RUN useradd --create-home --uid 10001 uploadkit
COPY --from=build /src/target/release/uploadkit /usr/local/bin/uploadkit
USER uploadkit
ENV HOME=/home/uploadkit
EXPOSE 8080
ENTRYPOINT ["uploadkit", "serve", "--listen", "0.0.0.0:8080"]
