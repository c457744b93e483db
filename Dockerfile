# Build static binaries, then ship each on distroless as non-root:
#   docker build -t frontline .                        the manager (last stage)
#   docker build --target ingest -t frontline-ingest . frontline-ingest
# `make image` / `make image-ingest` build the same images without Docker.
FROM golang:1.26 AS source
WORKDIR /workspace
COPY go.mod go.sum ./
RUN go mod download
COPY main.go main.go
COPY api/ api/
COPY cmd/ cmd/
COPY controllers/ controllers/
COPY internal/ internal/

FROM source AS manager-builder
ARG TARGETOS=linux
ARG TARGETARCH=amd64
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w -X github.com/frontline-dev/frontline/internal/version.Version=${VERSION}" -o manager .

FROM source AS ingest-builder
ARG TARGETOS=linux
ARG TARGETARCH=amd64
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w -X github.com/frontline-dev/frontline/internal/version.Version=${VERSION}" -o frontline-ingest ./cmd/frontline-ingest

FROM gcr.io/distroless/static:nonroot AS ingest
WORKDIR /
COPY --from=ingest-builder /workspace/frontline-ingest .
USER 65532:65532
ENTRYPOINT ["/frontline-ingest"]

FROM gcr.io/distroless/static:nonroot
WORKDIR /
COPY --from=manager-builder /workspace/manager .
USER 65532:65532
ENTRYPOINT ["/manager"]
