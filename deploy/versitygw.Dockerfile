# syntax=docker/dockerfile:1
# versitygw v1.8.0 (Apache-2.0), built from its Go module so the version is
# pinned by the module proxy's checksum database rather than by an image tag.
FROM golang:1.26-bookworm AS build
RUN CGO_ENABLED=0 GOBIN=/out go install -trimpath github.com/versity/versitygw/cmd/versitygw@v1.8.0

FROM debian:bookworm-slim
RUN useradd --system --uid 10002 --home-dir /var/lib/versitygw --create-home versitygw \
	&& mkdir -p /data && chown 10002:10002 /data
COPY --from=build /out/versitygw /usr/local/bin/versitygw
USER 10002:10002
EXPOSE 7070
ENTRYPOINT ["versitygw"]
