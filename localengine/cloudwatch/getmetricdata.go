package cloudwatch

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"time"

	"github.com/sluicehq/sluice/localengine/metrics"
	"github.com/sluicehq/sluice/localengine/wire"
)

// GetMetricData limits, as on AWS.
const (
	maxDataQueries   = 500
	maxDataPoints    = 100800
	maxMetricIDLen   = 255
	maxLabelLen      = 1024 // generous; AWS documents none
	scanDescending   = "TimestampDescending"
	scanAscending    = "TimestampAscending"
	statusComplete   = "Complete"
	statusPartial    = "PartialData"
	dataTokenVersion = 1
)

// dataQuery is one MetricDataQuery with a MetricStat.
type dataQuery struct {
	id, label  string
	returnData bool
	series     metrics.Series
	period     int64
	stat       statistic
	unit       metrics.Unit
}

type dataRequest struct {
	queries    []dataQuery
	start, end int64 // unix seconds; end exclusive
	desc       bool
	max        int
	token      *string
}

func (s *Service) getMetricData(ctx context.Context, b *binder, in node) (obj, error) {
	req, err := b.dataRequest(in, wire.Region(ctx))
	if err != nil {
		return nil, err
	}
	fp := req.fingerprint()
	cur := dataCursor{}
	if req.token != nil {
		if cur, err = parseDataToken(*req.token, fp, len(req.queries)); err != nil {
			return nil, err
		}
	}

	results := []obj{}
	var next *dataCursor
	budget := req.max
	err = s.metrics.View(func(r *metrics.Reader) error {
		for qi := cur.Query; qi < len(req.queries) && next == nil; qi++ {
			q := &req.queries[qi]
			if !q.returnData {
				continue
			}
			bq := metrics.BucketQuery{
				Series: q.series, Unit: q.unit, Period: q.period, Desc: req.desc,
				Start: alignStart(req.start, q.period), End: req.end,
				Parts: q.stat.kind == statPercentile,
			}
			if qi == cur.Query && cur.Resume {
				// Periods keep their alignment: the resume point is a
				// period start.
				if req.desc {
					bq.End = min(bq.End, cur.At+q.period)
				} else {
					bq.Start = cur.At
				}
			}
			var stamps []time.Time
			var values []float64
			r.Buckets(bq, func(bk *metrics.Bucket) bool {
				if budget == 0 {
					next = &dataCursor{Query: qi, At: bk.Start, Resume: true}
					return false
				}
				budget--
				stamps = append(stamps, time.Unix(bk.Start, 0).UTC())
				values = append(values, q.stat.value(bk))
				return true
			})
			status := statusComplete
			if next != nil {
				status = statusPartial
			}
			if stamps == nil {
				stamps, values = []time.Time{}, []float64{}
			}
			results = append(results, obj{
				{"Id", q.id}, {"Label", q.label},
				{"Timestamps", stamps}, {"Values", values},
				{"StatusCode", status}, {"Messages", []obj{}},
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := obj{{"MetricDataResults", results}}
	if next != nil {
		out = out.with("NextToken", next.token(fp))
	}
	return out.with("Messages", []obj{}), nil
}

func (b *binder) dataRequest(in node, region string) (*dataRequest, error) {
	items, qpath, set := b.list(in, "MetricDataQueries")
	start, end := b.time(in, "StartTime"), b.time(in, "EndTime")
	token := b.str(in, "NextToken")
	scanBy := b.str(in, "ScanBy")
	maxPts := b.int(in, "MaxDatapoints")
	if lo := b.obj(in, "LabelOptions"); lo != nil {
		_ = b.str(*lo, "Timezone")
	}
	if b.err != nil {
		return nil, b.err
	}
	if !b.require(set, "MetricDataQueries") || !b.require(start != nil, "StartTime") || !b.require(end != nil, "EndTime") {
		return nil, b.err
	}
	if len(items) == 0 {
		return nil, missing("MetricDataQueries")
	}
	if len(items) > maxDataQueries {
		return nil, invalidValue("The collection MetricDataQueries must not have a size greater than %d.", maxDataQueries)
	}
	if !start.Before(*end) {
		return nil, invalidValue("The parameter StartTime must be less than the parameter EndTime.")
	}
	req := &dataRequest{start: start.Unix(), end: end.Unix(), desc: true, max: maxDataPoints, token: token}
	if end.Nanosecond() > 0 {
		req.end++
	}
	if scanBy != nil {
		switch *scanBy {
		case scanDescending:
		case scanAscending:
			req.desc = false
		default:
			return nil, invalidValue("The value %s for parameter ScanBy is not valid. Valid values: %s, %s.", quoteValue(*scanBy), scanDescending, scanAscending)
		}
	}
	if maxPts != nil {
		if *maxPts < 1 {
			return nil, invalidValue("The parameter MaxDatapoints must be greater than 0.")
		}
		req.max = int(min(*maxPts, maxDataPoints))
	}
	ids := make(map[string]bool, len(items))
	for i, it := range items {
		q, ok := b.dataQuery(it, memberPath(qpath, i), region)
		if !ok {
			return nil, b.err
		}
		if ids[q.id] {
			return nil, invalidValue("The value %s for parameter %s is not unique.", quoteValue(q.id), join(memberPath(qpath, i), "Id"))
		}
		ids[q.id] = true
		req.queries = append(req.queries, q)
	}
	return req, nil
}

func (b *binder) dataQuery(v any, path, region string) (dataQuery, bool) {
	var q dataQuery
	n := b.objValue(v, path)
	if n == nil {
		return q, false
	}
	id := b.str(*n, "Id")
	label := b.str(*n, "Label")
	ret := b.boolean(*n, "ReturnData")
	expr := b.str(*n, "Expression")
	stat := b.obj(*n, "MetricStat")
	qperiod := b.int(*n, "Period")
	_ = b.str(*n, "AccountId")
	if b.err != nil || !b.require(id != nil, join(path, "Id")) {
		return q, false
	}
	if !validMetricID(*id) {
		b.fail(invalidValue("The value %s for parameter %s is not valid. An Id must start with a lowercase letter and contain only letters, numbers and underscores, up to %d characters.",
			quoteValue(*id), join(path, "Id"), maxMetricIDLen))
		return q, false
	}
	b.checkText(label, join(path, "Label"), 0, maxLabelLen)
	switch {
	case (expr != nil) == (stat != nil):
		b.fail(combination("Exactly one of the parameters %s and %s must be specified.", join(path, "MetricStat"), join(path, "Expression")))
		return q, false
	case expr != nil:
		b.fail(invalidValue("Metric math expressions are not supported by this engine (%s).", join(path, "Expression")))
		return q, false
	case qperiod != nil:
		b.fail(combination("The parameter %s applies to expressions only; set the period in %s.", join(path, "Period"), join(path, "MetricStat.Period")))
		return q, false
	}
	m := b.obj(*stat, "Metric")
	if !b.require(m != nil, join(stat.path, "Metric")) {
		return q, false
	}
	q.series = b.metricRef(*m, region)
	period := b.int(*stat, "Period")
	st := b.str(*stat, "Stat")
	q.unit = b.unit(*stat, "Unit")
	if b.err != nil || !b.require(period != nil, join(stat.path, "Period")) || !b.require(st != nil, join(stat.path, "Stat")) {
		return q, false
	}
	if !validPeriod(*period, true) {
		b.fail(invalidValue("The parameter %s must be a multiple of 60 or equal to 1, 5, 10, 20 or 30.", join(stat.path, "Period")))
		return q, false
	}
	var ok bool
	if q.stat, ok = parseStatistic(*st, true, true); !ok {
		b.fail(invalidValue("The value %s for parameter %s is not a supported statistic. Supported: SampleCount, Average, Sum, Minimum, Maximum and percentiles p0 to p100.",
			quoteValue(*st), join(stat.path, "Stat")))
		return q, false
	}
	q.id, q.period = *id, *period
	q.label = q.series.Name
	if label != nil && *label != "" {
		q.label = *label
	}
	q.returnData = ret == nil || *ret
	return q, true
}

func validMetricID(id string) bool {
	if len(id) == 0 || len(id) > maxMetricIDLen || id[0] < 'a' || id[0] > 'z' {
		return false
	}
	for i := 1; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// dataCursor is where the next page of GetMetricData resumes: query Query,
// at the period starting At when Resume is set.
type dataCursor struct {
	Query  int   `json:"q"`
	At     int64 `json:"t"`
	Resume bool  `json:"r"`
	// FP binds the token to the request it came from.
	FP string `json:"f"`
	V  int    `json:"v"`
}

func (c dataCursor) token(fp string) string {
	c.FP, c.V = fp, dataTokenVersion
	raw, _ := json.Marshal(c) // plain fields always encode
	return base64.RawURLEncoding.EncodeToString(raw)
}

func parseDataToken(tok, fp string, queries int) (dataCursor, error) {
	var c dataCursor
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(tok) > 1024 || json.Unmarshal(raw, &c) != nil ||
		c.V != dataTokenVersion || c.FP != fp || c.Query < 0 || c.Query >= queries {
		return dataCursor{}, invalidNextToken()
	}
	return c, nil
}

// fingerprint identifies what a request asks for, so that a token is only
// honoured by the request that produced it.
func (r *dataRequest) fingerprint() string {
	h := sha256.New()
	var buf []byte
	buf = binary.AppendVarint(buf, r.start)
	buf = binary.AppendVarint(buf, r.end)
	buf = binary.AppendVarint(buf, int64(r.max))
	if r.desc {
		buf = append(buf, 1)
	}
	for _, q := range r.queries {
		buf = binary.AppendUvarint(buf, uint64(len(q.id)))
		buf = append(buf, q.id...)
		key := q.series.Key()
		buf = binary.AppendUvarint(buf, uint64(len(key)))
		buf = append(buf, key...)
		buf = binary.AppendVarint(buf, q.period)
		buf = binary.AppendUvarint(buf, uint64(len(q.stat.name)))
		buf = append(buf, q.stat.name...)
		buf = append(buf, byte(q.unit))
		if q.returnData {
			buf = append(buf, 1)
		} else {
			buf = append(buf, 0)
		}
	}
	h.Write(buf)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12])
}
