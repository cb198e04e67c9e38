package cloudwatch

import (
	"context"
	"encoding/base64"
	"time"

	"github.com/sluicehq/sluice/localengine/metrics"
	"github.com/sluicehq/sluice/localengine/wire"
)

// ListMetrics returns up to 500 metrics a page, as on AWS.
const (
	listPageSize      = 500
	recentlyActive    = "PT3H"
	recentWindow      = 3 * time.Hour
	maxListTokenBytes = 8 << 10
)

func (s *Service) listMetrics(ctx context.Context, b *binder, in node) (obj, error) {
	region := wire.Region(ctx)
	q := metrics.ListQuery{Region: region, Limit: listPageSize}
	ns, name := b.str(in, "Namespace"), b.str(in, "MetricName")
	b.namespace(ns, "Namespace", false)
	b.checkText(name, "MetricName", 1, maxNameLen)
	filters, fpath, _ := b.list(in, "Dimensions")
	token := b.str(in, "NextToken")
	active := b.str(in, "RecentlyActive")
	linked := b.boolean(in, "IncludeLinkedAccounts")
	owner := b.str(in, "OwningAccount")
	if b.err != nil {
		return nil, b.err
	}
	if ns != nil {
		q.Namespace = *ns
	}
	if name != nil {
		q.Name = *name
	}
	if len(filters) > maxListDimFilter {
		return nil, invalidValue("The collection Dimensions must not have a size greater than %d.", maxListDimFilter)
	}
	for i, f := range filters {
		p := memberPath(fpath, i)
		fn := b.objValue(f, p)
		if fn == nil {
			return nil, b.err
		}
		dn, dv := b.str(*fn, "Name"), b.str(*fn, "Value")
		if !b.require(dn != nil, join(p, "Name")) {
			return nil, b.err
		}
		b.checkText(dn, join(p, "Name"), 1, maxNameLen)
		b.checkText(dv, join(p, "Value"), 1, maxDimValueLen)
		if b.err != nil {
			return nil, b.err
		}
		q.Dims = append(q.Dims, metrics.DimFilter{Name: *dn, Value: dv})
	}
	if active != nil {
		if *active != recentlyActive {
			return nil, invalidValue("The value %s for parameter RecentlyActive is not valid. Valid value: %s.", quoteValue(*active), recentlyActive)
		}
		q.ActiveSince = s.cfg.Now().Add(-recentWindow).Unix()
	}
	if owner != nil && *owner != wire.Account {
		// Only this account exists: nothing is owned by another.
		return obj{{"Metrics", []obj{}}}, nil
	}
	if token != nil {
		after, ok := parseListToken(*token)
		if !ok {
			return nil, invalidNextToken()
		}
		q.After = after
	}

	var found []metrics.Series
	var next []byte
	err := s.metrics.View(func(r *metrics.Reader) error {
		found, next = r.List(q)
		return nil
	})
	if err != nil {
		return nil, err
	}
	list := make([]obj, 0, len(found))
	owners := make([]string, 0, len(found))
	for _, m := range found {
		dims := make([]obj, 0, len(m.Dims))
		for _, d := range m.Dims {
			dims = append(dims, obj{{"Name", d.Name}, {"Value", d.Value}})
		}
		list = append(list, obj{{"Namespace", m.Namespace}, {"MetricName", m.Name}, {"Dimensions", dims}})
		owners = append(owners, wire.Account)
	}
	out := obj{{"Metrics", list}}
	if next != nil {
		out = out.with("NextToken", base64.RawURLEncoding.EncodeToString(next))
	}
	if linked != nil && *linked {
		out = out.with("OwningAccounts", owners)
	}
	return out, nil
}

func parseListToken(tok string) ([]byte, bool) {
	if tok == "" || len(tok) > maxListTokenBytes {
		return nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !metrics.ValidSeriesKey(raw) {
		return nil, false
	}
	return raw, true
}
