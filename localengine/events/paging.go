package events

import (
	"encoding/base64"
	"strings"
)

// List actions page by name: a NextToken holds the last name answered, so
// that pages stay consistent while resources come and go.

const (
	maxListLimit = 100
	maxNextToken = 2048
	tokenPrefix  = "n1:"
)

func encodeToken(last string) *string {
	t := base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + last))
	return &t
}

func decodeToken(tok *string) (string, error) {
	if tok == nil {
		return "", nil
	}
	if len(*tok) == 0 || len(*tok) > maxNextToken {
		return "", invalidNextToken()
	}
	raw, err := base64.RawURLEncoding.DecodeString(*tok)
	if err != nil {
		return "", invalidNextToken()
	}
	last, ok := strings.CutPrefix(string(raw), tokenPrefix)
	if !ok {
		return "", invalidNextToken()
	}
	return last, nil
}

// checkPaging validates Limit and NextToken.
func checkPaging(v *validation, limit *int64, token *string) {
	v.intRange("limit", limit, 1, maxListLimit)
	if token != nil {
		v.length("nextToken", *token, 1, maxNextToken)
	}
}

// paginate cuts one page from items sorted by name.
func paginate[T any](items []T, name func(T) string, token *string, limit *int64) ([]T, *string, error) {
	after, err := decodeToken(token)
	if err != nil {
		return nil, nil, err
	}
	n := maxListLimit
	if limit != nil {
		n = int(*limit)
	}
	start := 0
	if token != nil {
		for start < len(items) && name(items[start]) <= after {
			start++
		}
	}
	end := min(start+n, len(items))
	page := items[start:end]
	var next *string
	if end < len(items) && len(page) > 0 {
		next = encodeToken(name(page[len(page)-1]))
	}
	return page, next, nil
}
