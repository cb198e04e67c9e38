package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/config"
)

func addBudgetFlag(cmd *cobra.Command, scale *float64) {
	cmd.Flags().Float64Var(scale, "budget-scale", 0,
		"multiply every AWS API's calls-a-second budget by this factor (default the config's budget.scale, else 1; below 1 leaves more of the account's quota to its own consumers)")
}

// openBudget builds the API budget from the config, with --budget-scale
// in place of the config's scale when given.
func openBudget(cfg config.File, flagScale float64) (*backend.Budget, error) {
	b := cfg.Budget
	switch {
	case flagScale < 0:
		return nil, fmt.Errorf("--budget-scale %v: want a positive factor", flagScale)
	case flagScale > 0:
		b.Scale = flagScale
	}
	budget, err := backend.NewBudget(b, nil)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return budget, nil
}
