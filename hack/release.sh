#!/usr/bin/env bash
# Builds a Frontline release into $DIST (make release), reproducibly: the
# same commit gives the same bytes, so checksums.txt can be rebuilt and
# compared by anyone.
#
#   frontline-image_<V>_linux_<arch>.tar         manager image (OCI tarball)
#   frontline-ingest-image_<V>_linux_<arch>.tar  frontline-ingest image
#   kubectl-frontline_<V>_<os>_<arch>.tar.gz     the plugin and LICENSE (.zip on windows)
#   frontline.yaml                               krew manifest for those archives
#   frontline-<chart version>.tgz                the chart; default images :<V>
#   install.yaml                                 config/default with the image :<V>
#   checksums.txt                                sha256 of all of the above
#
# <V> is VERSION (git describe); the images are $REGISTRY/$IMAGE_NAME:<V> and
# $REGISTRY/$INGEST_IMAGE_NAME:<V> (make print-image, print-ingest-image).
# Binaries: -trimpath, no build id, no VCS stamp. Archives: entries in
# name order, mtimes SOURCE_DATE_EPOCH (the last commit's time), gzip
# without name or mtime. Images: fixed timestamps (hack/image).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
REGISTRY=${REGISTRY:-ghcr.io}
IMAGE_NAME=${IMAGE_NAME:-frontline-dev/frontline}
INGEST_IMAGE_NAME=${INGEST_IMAGE_NAME:-frontline-dev/frontline-ingest}
DIST=${DIST:-$root/dist}
PLATFORMS=${PLATFORMS-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64}
IMAGE_ARCHES=${IMAGE_ARCHES-amd64 arm64}
RELEASE_URL=${RELEASE_URL:-https://github.com/frontline-dev/frontline/releases/download/$VERSION}
HELM=${HELM:-$root/bin/helm-v3.22.0}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
export SOURCE_DATE_EPOCH
revision=$(git rev-parse HEAD 2>/dev/null || true)

img=$REGISTRY/$IMAGE_NAME:$VERSION
ingest_img=$REGISTRY/$INGEST_IMAGE_NAME:$VERSION

die() { echo "release: $*" >&2; exit 1; }
[[ $VERSION =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "VERSION $VERSION is not an image tag"
[[ -x $HELM ]] || die "$HELM missing: make $HELM"

# The chart's version is semantic: v1.2.3[-3-gabc1234] gives 1.2.3[-3-gabc1234];
# an untagged commit gives Chart.yaml's version with -g<commit>.
base=$(sed -n 's/^version: *//p' charts/frontline/Chart.yaml)
if [[ $VERSION =~ ^v?[0-9]+\.[0-9]+\.[0-9]+ ]]; then
  chart_version=${VERSION#v}
elif [[ $VERSION =~ ^[0-9a-f]{7,}(-dirty)?$ ]]; then
  chart_version=$base-g$VERSION
else
  chart_version=$base-$VERSION
fi
semver='^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$'
[[ $chart_version =~ $semver ]] || die "chart version $chart_version (from $VERSION) is not semantic"
[[ $VERSION == *-dirty ]] && echo "release: warning: $VERSION: the tree has uncommitted changes" >&2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HELM_CACHE_HOME=$tmp/helm/cache HELM_CONFIG_HOME=$tmp/helm/config HELM_DATA_HOME=$tmp/helm/data
mkdir -p "$DIST" "$tmp/tools"
# Only what this script writes is removed.
rm -f "$DIST"/checksums.txt "$DIST"/install.yaml "$DIST"/frontline.yaml "$DIST"/frontline-*.tgz \
  "$DIST"/frontline-image_*.tar "$DIST"/frontline-ingest-image_*.tar "$DIST"/kubectl-frontline_*

start=$SECONDS
step() { echo ">> $* ($((SECONDS - start))s)" >&2; }

step "tools"
go build -o "$tmp/tools/" ./hack/image ./hack/krew ./hack/kustomize

ldflags="-s -w -buildid= -X github.com/frontline-dev/frontline/internal/version.Version=$VERSION"
gobuild() { # os arch out package
  CGO_ENABLED=0 GOOS=$1 GOARCH=$2 go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$3" "$4"
}

for arch in $IMAGE_ARCHES; do
  step "images linux/$arch"
  gobuild linux "$arch" "$tmp/linux_$arch/manager" .
  gobuild linux "$arch" "$tmp/linux_$arch/frontline-ingest" ./cmd/frontline-ingest
  "$tmp/tools/image" --binary "$tmp/linux_$arch/manager" --arch "$arch" --tag "$img" \
    --version "$VERSION" --revision "$revision" --out "$DIST/frontline-image_${VERSION}_linux_$arch.tar"
  "$tmp/tools/image" --binary "$tmp/linux_$arch/frontline-ingest" --entrypoint /frontline-ingest \
    --title frontline-ingest --description "Helpdesk webhooks to Frontline's ticket series" \
    --arch "$arch" --tag "$ingest_img" \
    --version "$VERSION" --revision "$revision" --out "$DIST/frontline-ingest-image_${VERSION}_linux_$arch.tar"
done

plugins=() archives=()
for p in $PLATFORMS; do
  step "kubectl plugin $p"
  os=${p%/*} arch=${p#*/} exe=kubectl-frontline
  [[ $os == windows ]] && exe=$exe.exe
  gobuild "$os" "$arch" "$tmp/${os}_$arch/$exe" ./cmd/kubectl-frontline
  plugins+=("$p=$tmp/${os}_$arch/$exe")
done
if ((${#plugins[@]})); then
  while read -r a; do archives+=("$a"); done < <("$tmp/tools/krew" archives --version "$VERSION" \
    --epoch "$SOURCE_DATE_EPOCH" --license LICENSE --out "$DIST" "${plugins[@]}")
  step "krew manifest"
  "$tmp/tools/krew" manifest --version "v$chart_version" --base-url "$RELEASE_URL" \
    --out "$DIST/frontline.yaml" "${archives[@]}" >/dev/null
fi

step "chart $chart_version"
# The chart's default images are the release's: registry and names from
# the Makefile, tag = appVersion = VERSION.
cp -R charts/frontline "$tmp/frontline"
sed -i.orig -e "/^image:/,/^[a-z]/ s|^  registry: [^ ]*|  registry: $REGISTRY|" \
  -e "/^image:/,/^[a-z]/ s|^  repository: .*|  repository: $IMAGE_NAME|" \
  -e "/^ingest:/,/^[a-z]/ s|^    repository: .*|    repository: $INGEST_IMAGE_NAME|" "$tmp/frontline/values.yaml"
rm -f "$tmp/frontline/values.yaml.orig"
"$HELM" package "$tmp/frontline" --version "$chart_version" --app-version "$VERSION" -d "$DIST" >/dev/null
chart=$DIST/frontline-$chart_version.tgz
"$tmp/tools/krew" repack --epoch "$SOURCE_DATE_EPOCH" "$chart"
rendered=$("$HELM" template frontline "$chart" --set ingest.enabled=true --set ingest.existingSecret=s \
  --set 'ingest.config.sources[0].name=s,ingest.config.sources[0].vendor=generic' \
  --set 'ingest.config.rules[0].target.namespace=n,ingest.config.rules[0].target.queue=q' | sed -n 's/^ *image: "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' | sort -u)
[[ $rendered == "$(printf '%s\n%s' "$img" "$ingest_img" | sort)" ]] || die "the chart's default images are
$rendered
not $img and $ingest_img"

step "install.yaml"
# config/default with the manager image at VERSION (config/manager names
# the image; the overlay retags it).
base_image=$(sed -n 's/^ *newName: //p' config/manager/kustomization.yaml)
"$tmp/tools/kustomize" --image "$base_image=$img" config/default >"$DIST/install.yaml"
[[ $(grep -c "image: $img\$" "$DIST/install.yaml") == 1 ]] || die "install.yaml does not run $img"

step "checksums.txt"
if command -v sha256sum >/dev/null; then sum=(sha256sum); else sum=(shasum -a 256); fi
(
  cd "$DIST"
  shopt -s nullglob
  files=(frontline-image_*.tar frontline-ingest-image_*.tar kubectl-frontline_* [f]rontline.yaml frontline-*.tgz [i]nstall.yaml)
  printf '%s\n' "${files[@]}" | LC_ALL=C sort | xargs "${sum[@]}" >"$tmp/checksums.txt"
)
mv "$tmp/checksums.txt" "$DIST/checksums.txt"

step "done: $DIST"
echo "release $VERSION: images $img, $ingest_img; chart $chart_version" >&2
cat "$DIST/checksums.txt"
