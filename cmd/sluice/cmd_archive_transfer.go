package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/inert"
)

type archiveExportFlags struct {
	ops          opsFlags
	consumer     string
	since, until string
	keyPrefix    string
	archive      string
}

func newArchiveExportCmd() *cobra.Command {
	var f archiveExportFlags
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write archived events as JSON Lines, to move a captured incident to another archive",
		Long: `Write the waiting events of a consumer (or of every consumer in the archive)
as JSON Lines on stdout, one object per event as it is read: the archive's
bucket and prefix, the event's key, and its stored object byte for byte —
"body" when it is UTF-8 text, else "bodyBase64". sluice archive import
writes such a file into another profile's archive under the same keys.
Replayed copies and attempt records are not exported. The output is always
JSON Lines.`,
		Example: `  sluice archive export --profile prod --consumer orders-to-api --since 6h > incident.jsonl
  sluice archive import incident.jsonl --profile local --bucket archive`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runArchiveExport(cmd.Context(), cmd, f)
		},
	}
	addOpsFlags(cmd, &f.ops)
	fl := cmd.Flags()
	fl.StringVar(&f.consumer, "consumer", "", "the consumer whose events to export (default every consumer in the archive)")
	fl.StringVar(&f.since, "since", "", "only events that arrived at or after this time: RFC 3339, or a duration ago (2h, 7d)")
	fl.StringVar(&f.until, "until", "", "only events that arrived before this time: RFC 3339, or a duration ago")
	fl.StringVar(&f.keyPrefix, "key", "", "only events whose partition key starts with this")
	fl.StringVar(&f.archive, "archive", "", "the archive, s3://BUCKET/PREFIX (default the consumer's pipeline's)")
	return cmd
}

func runArchiveExport(ctx context.Context, cmd *cobra.Command, f archiveExportFlags) error {
	if cmd.Flags().Changed("output") && f.ops.output != "jsonl" {
		return fmt.Errorf("-o %s: an export is JSON Lines; use -o jsonl or leave -o out", f.ops.output)
	}
	f.ops.output = "jsonl"
	now := time.Now()
	since, err := parseWhen("since", f.since, now)
	if err != nil {
		return err
	}
	until, err := parseWhen("until", f.until, now)
	if err != nil {
		return err
	}
	o, err := openOps(ctx, cmd, f.ops)
	if err != nil {
		return err
	}
	defer o.close()
	sources, failures, err := listSources(ctx, o.locator(), archiveListFlags{consumer: f.consumer, archive: f.archive})
	if err != nil {
		return err
	}
	keep := func(obj archive.Object) bool { return strings.HasPrefix(obj.PartitionKey, f.keyPrefix) }
	total := 0
	for _, src := range sources {
		n, err := archive.Export(ctx, o.session, src.Loc, archive.Query{Consumer: src.Consumer, Since: since, Until: until}, keep,
			func(l archive.Line) error { return writeJSON(o.out.w, l, false) })
		total += n
		if err != nil {
			return fmt.Errorf("exported %s before: %w", countEvents(total), err)
		}
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "exported %s\n", countEvents(total))
	return reportFailures(cmd.ErrOrStderr(), failures)
}

type archiveImportFlags struct {
	ops            opsFlags
	bucket, prefix string
	skipBad        bool
}

func newArchiveImportCmd() *cobra.Command {
	var f archiveImportFlags
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Write the events of an export file into this profile's archive, under the same keys",
		Long: `Write the events of a file written by sluice archive export into the
archive of --profile: each under its key, with the exported prefix
replaced by --prefix when given, in the line's bucket or --bucket.

Every write is create-only (If-None-Match): an object already there with
the same bytes is left unchanged, so running the import again does
nothing new; a different object under the same key is kept and reported
as a conflict. It asks first (or --yes) and is refused under --readonly.

The file is read whole before anything is written. A line that is not an
exported archive event (not JSON, a key outside its prefix, a replayed copy,
a body that is not the event its key names) is named with its line number,
and nothing is written; --skip-bad writes the other lines and still exits
non-zero naming the bad ones. Conflicts and failed writes exit non-zero too.`,
		Example: `  sluice archive import incident.jsonl --profile local --bucket archive --yes
  sluice archive import incident.jsonl --profile staging --bucket incidents --prefix inc-42/`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runArchiveImport(cmd.Context(), cmd, f, args[0])
		},
	}
	addOpsFlags(cmd, &f.ops)
	fl := cmd.Flags()
	fl.StringVar(&f.bucket, "bucket", "", "write into this bucket (default each line's)")
	fl.StringVar(&f.prefix, "prefix", "", "write under this archive prefix instead of the exported one")
	fl.BoolVar(&f.skipBad, "skip-bad", false, "write the good lines even when some are bad (still exits non-zero)")
	return cmd
}

// importRow is what became of one line of the file.
type importRow struct {
	Line   int    `json:"line"`
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
}

var importColumns = []column[importRow]{
	{"LINE", func(r importRow) string { return strconv.Itoa(r.Line) }},
	{"STATUS", func(r importRow) string { return r.Status }},
	{"DETAIL", func(r importRow) string { return r.Detail }},
	{"KEY", func(r importRow) string { return "s3://" + r.Bucket + "/" + r.Key }},
}

// badLine is a line of the file that is not an exported event.
type badLine struct {
	n   int
	err error
}

func runArchiveImport(ctx context.Context, cmd *cobra.Command, f archiveImportFlags, path string) error {
	bad, good, err := scanImport(path, nil)
	if err != nil {
		return err
	}
	if len(bad) > 0 && !f.skipBad {
		return fmt.Errorf("%s: nothing imported: %s (fix them, or pass --skip-bad to import the rest)", path, describeBad(bad))
	}
	if good == 0 {
		return fmt.Errorf("%s: no events to import", path)
	}
	o, err := openOps(ctx, cmd, f.ops)
	if err != nil {
		return err
	}
	defer o.close()
	where := "each line's bucket and prefix"
	if f.bucket != "" || cmd.Flags().Changed("prefix") {
		where = "s3://" + firstSet(f.bucket, "<each line's bucket>") + "/" + f.prefix
	}
	if err := o.confirm(cmd, fmt.Sprintf("import %s from %s into %s (create-only: objects already there are kept)", countEvents(good), path, where)); err != nil {
		return err
	}
	counts := map[string]int{}
	var rows []importRow
	_, _, err = scanImport(path, func(n int, l archive.Line, body []byte) {
		loc := backend.ArchiveLocation{Bucket: firstSet(f.bucket, l.Bucket), Prefix: l.Prefix}
		if cmd.Flags().Changed("prefix") {
			loc.Prefix = f.prefix
		}
		row := importRow{Line: n, Bucket: loc.Bucket, Key: archive.ImportKey(loc, l)}
		st, err := archive.Import(ctx, o.session, loc.Bucket, row.Key, body)
		switch {
		case err != nil:
			row.Status, row.Detail = "failed", err.Error()
		case st == archive.Conflict:
			row.Status, row.Detail = string(st), "a different object is there; kept it"
		default:
			row.Status = string(st)
		}
		counts[row.Status]++
		rows = append(rows, row)
	})
	if perr := printRows(o.out, rows, importColumns); perr != nil && err == nil {
		err = perr
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "imported into profile %s: %d written, %d unchanged, %d conflicts (kept), %d failed, %d bad lines skipped\n",
		o.session.Profile.Name, counts["written"], counts["unchanged"], counts["conflict"], counts["failed"], len(bad))
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	if len(bad) > 0 {
		errs = append(errs, fmt.Errorf("%s: %s, not imported", path, describeBad(bad)))
	}
	if counts["conflict"] > 0 {
		errs = append(errs, fmt.Errorf("%d events conflict with different objects under their keys, which were kept", counts["conflict"]))
	}
	if counts["failed"] > 0 {
		errs = append(errs, fmt.Errorf("%d events not written; running the same import again writes only what is missing", counts["failed"]))
	}
	return errors.Join(errs...)
}

// scanImport reads the file line by line, decoding each; it hands every
// good line to each (when set) and returns the bad lines and the number
// of good ones. Blank lines are skipped.
func scanImport(path string, each func(n int, l archive.Line, body []byte)) ([]badLine, int, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("import: %w", err)
	}
	defer file.Close()
	return scanLines(file, each)
}

func scanLines(r io.Reader, each func(n int, l archive.Line, body []byte)) ([]badLine, int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), archive.MaxLineSize+1)
	var bad []badLine
	good, n := 0, 0
	for sc.Scan() {
		n++
		raw := sc.Bytes()
		if len(strings.TrimSpace(string(raw))) == 0 {
			continue
		}
		l, body, err := archive.DecodeLine(raw)
		if err != nil {
			bad = append(bad, badLine{n, err})
			continue
		}
		good++
		if each != nil {
			each(n, l, body)
		}
	}
	if err := sc.Err(); err != nil {
		return bad, good, fmt.Errorf("import: line %d: %w", n+1, err)
	}
	return bad, good, nil
}

// describeBad names the bad lines and why, the first few in full.
func describeBad(bad []badLine) string {
	const shown = 5
	var parts []string
	for i, b := range bad {
		if i == shown {
			parts = append(parts, fmt.Sprintf("and %d more", len(bad)-shown))
			break
		}
		parts = append(parts, fmt.Sprintf("line %d: %s", b.n, inert.Line(b.err.Error())))
	}
	word := "lines"
	if len(bad) == 1 {
		word = "line"
	}
	return fmt.Sprintf("%d bad %s (%s)", len(bad), word, strings.Join(parts, "; "))
}
