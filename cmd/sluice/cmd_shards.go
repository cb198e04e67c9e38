package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newShardsCmd is being built; its owner replaces this file.
func newShardsCmd() *cobra.Command {
	return &cobra.Command{Use: "shards", Hidden: true, RunE: func(*cobra.Command, []string) error {
		return errors.New("shards: not built yet")
	}}
}
