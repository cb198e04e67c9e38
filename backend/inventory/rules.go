package inventory

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/sluicehq/sluice/backend"
)

// ruleDLQs finds the dead-letter queues of EventBridge rule targets,
// across every bus, as sources by DLQ ARN.
func ruleDLQs(ctx context.Context, s *backend.Session) (map[string][]Source, error) {
	eb := s.EventBridge()
	var buses []string
	var token *string
	for {
		out, err := eb.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{NextToken: token, Limit: aws.Int32(100)})
		if err != nil {
			return nil, fmt.Errorf("list event buses: %w", s.Explain(err))
		}
		for _, b := range out.EventBuses {
			buses = append(buses, aws.ToString(b.Name))
		}
		if token = out.NextToken; aws.ToString(token) == "" {
			break
		}
	}
	found := map[string][]Source{}
	for _, bus := range buses {
		token = nil
		for {
			out, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String(bus), NextToken: token, Limit: aws.Int32(100)})
			if err != nil {
				return nil, fmt.Errorf("rules of bus %s: %w", bus, s.Explain(err))
			}
			for _, r := range out.Rules {
				if err := ruleTargetDLQs(ctx, s, bus, aws.ToString(r.Name), aws.ToString(r.Arn), found); err != nil {
					return nil, err
				}
			}
			if token = out.NextToken; aws.ToString(token) == "" {
				break
			}
		}
	}
	return found, nil
}

func ruleTargetDLQs(ctx context.Context, s *backend.Session, bus, rule, ruleARN string, found map[string][]Source) error {
	var token *string
	for {
		out, err := s.EventBridge().ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{
			EventBusName: aws.String(bus), Rule: aws.String(rule), NextToken: token, Limit: aws.Int32(100),
		})
		if err != nil {
			return fmt.Errorf("targets of rule %s on bus %s: %w", rule, bus, s.Explain(err))
		}
		for _, t := range out.Targets {
			if t.DeadLetterConfig == nil || !isSQSARN(aws.ToString(t.DeadLetterConfig.Arn)) {
				continue
			}
			dlq := aws.ToString(t.DeadLetterConfig.Arn)
			found[dlq] = append(found[dlq], Source{Kind: SourceRule, Name: bus + "/" + rule, ARN: ruleARN})
		}
		if token = out.NextToken; aws.ToString(token) == "" {
			return nil
		}
	}
}
