package main

import (
	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inventory"
)

func newPipelinesCmd() *cobra.Command {
	var f opsFlags
	var archive string
	cmd := &cobra.Command{
		Use:   "pipelines",
		Short: "List the pipelines: consumer → stream → DLQ → archive → replay target",
		Long: `List the pipelines discovered from pipes (and Lambda event source mappings
on AWS) that read a Kinesis stream, merged with those declared in the sluice
config, which win field by field. A pipeline's archive comes from the config,
else the sluice:archive tag of its DLQ, else of its pipe, else --archive.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			o, err := openOps(ctx, cmd, f)
			if err != nil {
				return err
			}
			defer o.close()
			d, err := inventory.Discover(ctx, o.session, o.config.Pipelines, archive)
			if err != nil {
				return err
			}
			if err := printRows(o.out, d.Pipelines, pipelineColumns); err != nil {
				return err
			}
			printNotesOnce(cmd.ErrOrStderr(), d.Notes)
			return reportFailures(cmd.ErrOrStderr(), d.Failures)
		},
	}
	addOpsFlags(cmd, &f)
	cmd.Flags().StringVar(&archive, "archive", "", "archive (s3://bucket/prefix) of pipelines that neither the config nor a tag gives one")
	return cmd
}

var pipelineColumns = []column[backend.Pipeline]{
	{"CONSUMER", func(p backend.Pipeline) string { return p.Consumer }},
	{"KIND", func(p backend.Pipeline) string { return p.ConsumerKind }},
	{"STREAM", func(p backend.Pipeline) string { return cellOrDash(p.Stream) }},
	{"DLQ", func(p backend.Pipeline) string {
		if p.DLQTopicARN != "" {
			return "sns:" + inventory.QueueName(p.DLQTopicARN)
		}
		return cellOrDash(p.DLQ)
	}},
	{"ARCHIVE", func(p backend.Pipeline) string {
		if !p.Archive.IsSet() {
			return "-"
		}
		return p.Archive.String() + " (" + p.Archive.From + ")"
	}},
	{"TARGET", func(p backend.Pipeline) string {
		if p.Target.Kind == backend.TargetNone {
			return "-"
		}
		return string(p.Target.Kind) + " " + p.Target.String()
	}},
}
