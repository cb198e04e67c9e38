#!/bin/sh
# Writes what every release archive and package carries beside the binary:
# the shell completions (completions/) and the manual pages (manpages/),
# generated from the commands of this tree. GoReleaser runs it first.
set -eu
cd "$(dirname "$0")/.."
rm -rf completions manpages
mkdir -p completions manpages
go build -o completions/.sluice ./cmd/sluice
for shell in bash zsh fish powershell; do
  ./completions/.sluice completion "$shell" > "completions/sluice.$shell"
done
mv completions/sluice.powershell completions/sluice.ps1
./completions/.sluice man manpages
rm completions/.sluice
gzip -9n manpages/*.1
