package pipes

import (
	"errors"
	"maps"
	"net/url"

	bolt "go.etcd.io/bbolt"
)

type tagsBody struct {
	Tags map[string]string `json:"tags"`
}

// resolveArn validates a tagging ARN and names the pipe it points at.
func resolveArn(arn string) (region, name string, err error) {
	var v validation
	v.length(&arn, "resourceArn", 1, maxArnLength)
	if err := v.err(); err != nil {
		return "", "", err
	}
	if !arnPattern.MatchString(arn) {
		v.constraint("resourceArn", arn, arnRule)
		return "", "", v.err()
	}
	region, name, ok := pipeFromARN(arn)
	if !ok {
		return "", "", notFoundArn(arn)
	}
	return region, name, nil
}

func (s *Service) listTags(arn string) (any, error) {
	region, name, err := resolveArn(arn)
	if err != nil {
		return nil, err
	}
	p, err := s.viewPipe(region, name)
	var ae *apiError
	if errors.As(err, &ae) && ae.code == "NotFoundException" {
		return nil, notFoundArn(arn)
	}
	if err != nil {
		return nil, err
	}
	out := tagsBody{Tags: p.Tags}
	if out.Tags == nil {
		out.Tags = map[string]string{}
	}
	return out, nil
}

func (s *Service) tagResource(arn string, body []byte) (any, error) {
	region, name, err := resolveArn(arn)
	if err != nil {
		return nil, err
	}
	var in struct {
		Tags map[string]string `json:"tags"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v validation
	v.required(in.Tags != nil, "tags")
	checkTags(&v, in.Tags, "tags")
	if err := v.err(); err != nil {
		return nil, err
	}
	return struct{}{}, s.editTags(region, name, arn, func(tags map[string]string) error {
		maps.Copy(tags, in.Tags)
		if len(tags) > maxTags {
			return invalid("tags", "A pipe can have at most 50 tags.")
		}
		return nil
	})
}

func (s *Service) untagResource(arn, rawQuery string) (any, error) {
	region, name, err := resolveArn(arn)
	if err != nil {
		return nil, err
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, invalid("tagKeys", "The query string could not be parsed.")
	}
	keys := q["tagKeys"]
	var v validation
	v.required(len(keys) > 0, "tagKeys")
	if len(keys) > maxTags {
		v.constraint("tagKeys", "", "Member must have length less than or equal to 50")
	}
	for i := range keys {
		v.length(&keys[i], "tagKeys", 1, 128)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return struct{}{}, s.editTags(region, name, arn, func(tags map[string]string) error {
		for _, k := range keys {
			delete(tags, k)
		}
		return nil
	})
}

// editTags changes a pipe's tags; tags do not touch the runner.
func (s *Service) editTags(region, name, arn string, edit func(map[string]string) error) error {
	return s.store.Update(func(tx *bolt.Tx) error {
		p, err := loadPipe(tx, region, name)
		if err != nil {
			return err
		}
		if p == nil {
			return notFoundArn(arn)
		}
		tags := maps.Clone(p.Tags)
		if tags == nil {
			tags = map[string]string{}
		}
		if err := edit(tags); err != nil {
			return err
		}
		p.Tags = tags
		return putPipe(tx, p)
	})
}
