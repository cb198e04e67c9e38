package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newDLQHydrateCmd is `sluice dlq hydrate`: hydrate chosen messages of a
// DLQ, or all of them.
func newDLQHydrateCmd() *cobra.Command {
	var f hydrateFlags
	var all bool
	cmd := &cobra.Command{
		Use:   "hydrate QUEUE [ID...]",
		Short: "Archive the records behind Kinesis failures in S3, then delete the messages",
		Long: `Read the records each Kinesis-failure message points at back from the stream,
write each as one object in the pipeline's archive, read every object back,
and only then delete the message. Name the messages by id, or pass --all:
sluice browses the queue, lists the ids of its Kinesis failures, asks, and
hydrates exactly those; messages that arrive meanwhile are reported and left.
A message whose records are past the stream's retention stays in the queue,
and so does a payload message (redrive it instead). Hydrating a message
again writes the same keys.

The archive is the one the config declares for the queue's pipeline, else
the sluice:archive tag (s3://bucket/prefix) of the queue or its pipe, else
--archive.`,
		Example: `  sluice dlq hydrate orders-dlq --all
  sluice dlq hydrate orders-dlq 0f3c5b0e-… --archive s3://orders-archive/failed/ --yes -o json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids := args[1:]
			switch {
			case all && len(ids) > 0:
				return errors.New("dlq hydrate: name message ids or pass --all, not both")
			case !all && len(ids) == 0:
				return errors.New("dlq hydrate: name the message ids to hydrate, or pass --all for every message")
			}
			ctx := cmd.Context()
			return runHydrateQueue(ctx, cmd, f, args[0], ids)
		},
	}
	addHydrateFlags(cmd, &f)
	cmd.Flags().BoolVar(&all, "all", false, "hydrate the Kinesis failures the queue holds now, listed before asking")
	return cmd
}
