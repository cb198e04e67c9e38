#!/usr/bin/env bash
# The release, as a user receives it: `goreleaser check` of .goreleaser.yaml,
# a snapshot release (archives, deb/rpm/apk, SBOMs, checksums, the Homebrew
# cask; nothing published), then the deb installed on this machine and the
# installed sluice run. Needs Go, the module proxy and root (dpkg -i).
#
# CI builds linux/amd64 only (SLUICE_RELEASE_ALL=1 builds every platform, as
# a tagged release does): the six cold builds take longer than CI allows.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local

# Cached between runs in GOPATH/bin, like the compatibility matrix's MinIO.
bin="$(go env GOPATH)/bin"
export PATH="$bin:$PATH"
if ! goreleaser --version 2>/dev/null | grep -q 'v2\.16\.0'; then
  go install github.com/goreleaser/goreleaser/v2@v2.16.0
fi
if ! command -v cyclonedx-gomod >/dev/null; then
  go install github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@v1.10.0
fi

echo "== goreleaser check"
goreleaser check

config=.goreleaser.yaml
installed_deb=
cleanup() {
  if [ -n "$installed_deb" ]; then dpkg -r sluice >/dev/null 2>&1 || true; fi
  if [ "$config" != .goreleaser.yaml ]; then rm -f "$config"; fi
}
trap cleanup EXIT
if [ "${SLUICE_RELEASE_ALL:-}" != 1 ]; then
  config=$(mktemp --suffix=.yaml)
  sed -e 's/^    goos: \[linux, darwin, windows\]$/    goos: [linux]/' \
      -e 's/^    goarch: \[amd64, arm64\]$/    goarch: [amd64]/' .goreleaser.yaml > "$config"
  grep -q '^    goos: \[linux\]$' "$config" && grep -q '^    goarch: \[amd64\]$' "$config" \
    || { echo "release.sh: could not narrow the builds to linux/amd64 in $config"; exit 1; }
fi

echo "== goreleaser release --snapshot --clean ($config)"
goreleaser release --snapshot --clean -f "$config"

echo "== what the linux/amd64 archive carries"
archive=$(ls dist/sluice_*_linux_amd64.tar.gz)
contents=$(tar -tzf "$archive")
for want in sluice LICENSE README.md CHANGELOG.md completions/sluice.bash completions/sluice.zsh \
    completions/sluice.fish completions/sluice.ps1 manpages/sluice.1.gz manpages/sluice-tail.1.gz; do
  grep -qx "$want" <<<"$contents" || { echo "$archive lacks $want"; exit 1; }
done
sbom=${archive%.tar.gz}.cdx.json
grep -q '"name": *"github.com/sluicehq/sluice"' "$sbom" || { echo "no SBOM of sluice beside $archive"; ls dist; exit 1; }
for format in deb rpm apk; do
  ls dist/*."$format" >/dev/null || { echo "no $format package"; exit 1; }
done

echo "== install the deb and run it"
deb=$(ls dist/sluice_*_amd64.deb)
installed_deb=$deb
dpkg -i "$deb"
installed=$(/usr/bin/sluice version)
echo "$installed"
snapshot=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' dist/metadata.json)
[ "$installed" = "$(/usr/bin/sluice --version)" ] || { echo "--version and version differ"; exit 1; }
grep -q "^sluice $snapshot (commit [^,]*, built [^)]*)$" <<<"$installed" \
  || { echo "installed sluice says \"$installed\", want version $snapshot"; exit 1; }
for f in /usr/share/bash-completion/completions/sluice /usr/share/zsh/vendor-completions/_sluice \
    /usr/share/fish/vendor_completions.d/sluice.fish /usr/share/man/man1/sluice.1.gz /usr/share/man/man1/sluice-replay.1.gz; do
  test -s "$f" || { echo "the deb did not install $f"; exit 1; }
done
echo "release: the archive, the packages and the installed deb are as they should be"
