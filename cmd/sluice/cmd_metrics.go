package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newMetricsCmd is being built; its owner replaces this file.
func newMetricsCmd() *cobra.Command {
	return &cobra.Command{Use: "metrics", Hidden: true, RunE: func(*cobra.Command, []string) error {
		return errors.New("metrics: not built yet")
	}}
}
