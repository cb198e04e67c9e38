package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// buildInfo is what the release build stamped into the binary.
type buildInfo struct {
	Version, Commit, Date string
}

func newRootCmd(info buildInfo) *cobra.Command {
	root := &cobra.Command{
		Use:           "sluice",
		Short:         "Operate event pipelines: Kinesis streams, consumers, DLQs, archives and replay",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newVersionCmd(info), newEngineCmd(), newDemoCmd(),
		newProfilesCmd(), newStreamsCmd(), newShardsCmd(), newTailCmd(), newDLQCmd(), newHydrateCmd(),
		newArchiveCmd(), newReplayCmd(), newMetricsCmd(), newCallsCmd(), newPipelinesCmd())
	return root
}

func newVersionCmd(info buildInfo) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "sluice %s (commit %s, built %s)\n", info.Version, info.Commit, info.Date)
			return err
		},
	}
}
