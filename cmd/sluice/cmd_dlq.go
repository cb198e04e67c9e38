package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newDLQCmd is being built; its owner replaces this file.
func newDLQCmd() *cobra.Command {
	return &cobra.Command{Use: "dlq", Hidden: true, RunE: func(*cobra.Command, []string) error {
		return errors.New("dlq: not built yet")
	}}
}
