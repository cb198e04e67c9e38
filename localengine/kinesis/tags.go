package kinesis

import (
	"context"
	"fmt"
	"sort"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/wire"
)

// maxTags is how many tags a stream may carry.
const maxTags = 50

func checkTagMap(v *validation, tags map[string]*string, field string) {
	if tags == nil {
		return
	}
	if len(tags) < 1 || len(tags) > 200 {
		bound := "Member must have length less than or equal to 200"
		if len(tags) < 1 {
			bound = "Member must have length greater than or equal to 1"
		}
		v.fail("'{...}'", field, bound)
		return
	}
	for k, val := range tags {
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
			v.fail("'{...}'", field, "Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]")
			return
		}
		if val != nil && utf8.RuneCountInString(*val) > 256 {
			v.fail("'{...}'", field, "Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]")
			return
		}
	}
}

// tagCharsOK allows what AWS documents for tag keys and values: Unicode
// letters, digits, white space and _ . : / = + - % @. White space is the
// space separators (a space, a no-break space, an ideographic space); AWS
// refuses a tab or a line break. The colon is in AWS's current tagging
// rules (and in the message its Kinesis answers), though older Kinesis
// pages leave it out: an engine stricter than AWS would refuse tags that
// production takes.
func tagCharsOK(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Zs, r) {
			continue
		}
		switch r {
		case '_', '.', ':', '/', '=', '+', '-', '%', '@':
			continue
		}
		return false
	}
	return true
}

func checkTagChars(tags map[string]string) error {
	for k, val := range tags {
		if !tagCharsOK(k) || !tagCharsOK(val) {
			return invalidArgument("Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . : / = + - %% @.")
		}
	}
	return nil
}

func tooManyTags(stream string) error {
	return invalidArgument("Failed to add tags to stream %s under account %s because a given stream cannot have more than %d tags associated with it.",
		stream, wire.Account, maxTags)
}

func (s *Service) addTags(ctx context.Context, body []byte) (any, error) {
	var in struct {
		streamIDInput
		Tags map[string]*string
	}
	ref, err := decodeStreamInput(ctx, body, &in, &in.streamIDInput, func(v *validation) {
		v.required(in.Tags != nil, "tags")
		checkTagMap(v, in.Tags, "tags")
	})
	if err != nil {
		return nil, err
	}
	tags := make(map[string]string, len(in.Tags))
	for k, val := range in.Tags {
		tags[k] = derefString(val)
	}
	if err := checkTagChars(tags); err != nil {
		return nil, err
	}
	_, err = s.updateStream(ref, func(_ *bolt.Tx, m *streamMeta) error {
		if m.Tags == nil {
			m.Tags = map[string]string{}
		}
		for k, val := range tags {
			m.Tags[k] = val
		}
		if len(m.Tags) > maxTags {
			return tooManyTags(m.Name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tag stream %s: %w", ref.name, err)
	}
	return struct{}{}, nil
}

func (s *Service) removeTags(ctx context.Context, body []byte) (any, error) {
	var in struct {
		streamIDInput
		TagKeys []string
	}
	ref, err := decodeStreamInput(ctx, body, &in, &in.streamIDInput, func(v *validation) {
		v.required(in.TagKeys != nil, "tagKeys")
		if in.TagKeys != nil && (len(in.TagKeys) < 1 || len(in.TagKeys) > 50) {
			bound := "Member must have length less than or equal to 50"
			if len(in.TagKeys) < 1 {
				bound = "Member must have length greater than or equal to 1"
			}
			v.fail("'[...]'", "tagKeys", bound)
		}
		for _, k := range in.TagKeys {
			if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
				v.fail("'[...]'", "tagKeys", "Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]")
				break
			}
		}
	})
	if err != nil {
		return nil, err
	}
	_, err = s.updateStream(ref, func(_ *bolt.Tx, m *streamMeta) error {
		for _, k := range in.TagKeys {
			delete(m.Tags, k)
		}
		if len(m.Tags) == 0 {
			m.Tags = nil
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("untag stream %s: %w", ref.name, err)
	}
	return struct{}{}, nil
}

type tagOut struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func (s *Service) listTags(ctx context.Context, body []byte) (any, error) {
	var in struct {
		streamIDInput
		ExclusiveStartTagKey *string
		Limit                *int64
	}
	ref, err := decodeStreamInput(ctx, body, &in, &in.streamIDInput, func(v *validation) {
		v.lengthBetween(in.ExclusiveStartTagKey, "exclusiveStartTagKey", 1, 128)
		v.rangeBetween(in.Limit, "limit", 1, 50)
	})
	if err != nil {
		return nil, err
	}
	m, err := s.viewStream(ref)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(m.Tags))
	for k := range m.Tags {
		if in.ExclusiveStartTagKey == nil || k > *in.ExclusiveStartTagKey {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	out := struct {
		Tags        []tagOut `json:"Tags"`
		HasMoreTags bool     `json:"HasMoreTags"`
	}{Tags: []tagOut{}}
	for i, k := range keys {
		if i == limit {
			out.HasMoreTags = true
			break
		}
		out.Tags = append(out.Tags, tagOut{Key: k, Value: m.Tags[k]})
	}
	return out, nil
}
