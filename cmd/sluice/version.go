package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// buildInfo is what the binary knows of its own build: stamped by the
// release build's ldflags, else read from the build information the Go
// toolchain records in every binary (module version for `go install
// …@v1.2.3`, VCS revision and time for a build in a clone).
type buildInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
	Go      string `json:"go,omitempty"`
}

// unset is what a field is when neither ldflags nor the toolchain told it.
const unset = "dev"

// String is the one line both `sluice version` and `sluice --version` print.
func (b buildInfo) String() string {
	return fmt.Sprintf("%s (commit %s, built %s)", b.Version, b.Commit, b.Date)
}

// binaryBuild is this binary's build: the ldflags values, filled in from
// runtime/debug where the release build did not set them.
func binaryBuild() buildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return resolveBuild(buildInfo{Version: version, Commit: commit, Date: date}, bi)
}

// resolveBuild keeps every field ldflags set and takes the others from bi
// (nil when the binary carries none).
func resolveBuild(stamped buildInfo, bi *debug.BuildInfo) buildInfo {
	out := stamped
	out.Go = runtime.Version()
	if bi == nil {
		return fillUnset(out)
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if bi.GoVersion != "" {
		out.Go = bi.GoVersion
	}
	modVersion := bi.Main.Version
	if isUnset(out.Version) && modVersion != "" && modVersion != "(devel)" {
		out.Version = modVersion
	}
	if isUnset(out.Commit) {
		out.Commit = commitOf(settings, modVersion)
	}
	if isUnset(out.Date) {
		out.Date = settings["vcs.time"]
		if out.Date == "" {
			out.Date = pseudoVersionTime(modVersion)
		}
	}
	return fillUnset(out)
}

// commitOf is the VCS revision of a build in a clone (marked -dirty when
// the tree had changes), else the revision a pseudo-version names (`go
// install module@master` records no VCS settings, only
// v0.0.0-20261207195955-9a9d387abcde).
func commitOf(settings map[string]string, modVersion string) string {
	if rev := settings["vcs.revision"]; rev != "" {
		rev = rev[:min(len(rev), 12)]
		if settings["vcs.modified"] == "true" {
			rev += "-dirty"
		}
		return rev
	}
	return pseudoVersionRev(modVersion)
}

// pseudoVersionRev is the 12-hex revision at the end of a Go
// pseudo-version, or "" for a release version.
func pseudoVersionRev(v string) string {
	_, rev, ok := splitPseudoVersion(v)
	if !ok {
		return ""
	}
	return rev
}

// pseudoVersionTime is the commit time a Go pseudo-version carries, in
// RFC 3339, or "" for a release version.
func pseudoVersionTime(v string) string {
	stamp, _, ok := splitPseudoVersion(v)
	if !ok {
		return ""
	}
	t, err := time.Parse("20060102150405", stamp)
	if err != nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// splitPseudoVersion takes vX.Y.Z-[pre.]yyyymmddhhmmss-abcdefabcdef[+incompatible]
// apart.
func splitPseudoVersion(v string) (stamp, rev string, ok bool) {
	v, _, _ = strings.Cut(v, "+")
	i := strings.LastIndexByte(v, '-')
	if i < 0 {
		return "", "", false
	}
	rev = v[i+1:]
	if len(rev) != 12 || strings.Trim(rev, "0123456789abcdef") != "" {
		return "", "", false
	}
	stamp = v[:i]
	if j := strings.LastIndexAny(stamp, "-."); j >= 0 {
		stamp = stamp[j+1:]
	}
	if len(stamp) != 14 || strings.Trim(stamp, "0123456789") != "" {
		return "", "", false
	}
	return stamp, rev, true
}

func isUnset(s string) bool { return s == "" || s == unset }

func fillUnset(b buildInfo) buildInfo {
	for _, f := range []*string{&b.Version, &b.Commit, &b.Date} {
		if *f == "" {
			*f = unset
		}
	}
	return b
}

func newVersionCmd(info buildInfo) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date",
		Long: `Print the version, commit and build date. A release build carries them from
its release; a binary built with go install or go build reads them from the
build information Go records (module version, VCS revision and time).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := newOutput(format, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			return printOne(o, info, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "sluice %s\n", info)
				return err
			})
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "table", "output format: table, json or jsonl")
	return cmd
}
